#pragma once

// The payments domain in API tests: linking sandbox bank accounts, reading
// the payment tables directly (and writing them, to play the bank), and the
// checks of account numbers and amounts the payment tests share.

#include <picojson.h>

#include <string>

#include "accounts.h"
#include "harness.h"

namespace cairn::test {

inline constexpr char kBankAccounts[] = "/api/v1/bank-accounts";

// A link body: {"bankName": bank} plus `extra` members as raw JSON
// (",\"initialBalance\":12.5"), so tests can send any type.
std::string LinkBody(const std::string& bank, const std::string& extra = "");

// POST /api/v1/bank-accounts as who with body, and Idempotency-Key: key
// when key is not empty.
httplib::Result LinkAccount(httplib::Client& cli, const Account& who, const std::string& body,
                            const std::string& key = "");
// Links an account that must be accepted (201); returns its `data`.
picojson::object MustLink(httplib::Client& cli, const Account& who, const std::string& bank,
                          const std::string& extra = "");


// A JSON number at a dotted path (an integer or not); REQUIREs a number.
double Number(const picojson::object& o, const std::string& dotted);

// "1234.56.78901" whose last digit is the Norwegian MOD11 check digit of
// the first ten.
bool IsMod11AccountNumber(const std::string& dotted);



// Row counts of every table linking touches, as one comparable string:
// "bank_accounts=1 sandbox_accounts=1 events=1 idempotency_keys=0".
std::string PaymentRows(const ServerProcess& server);

// Everything about user_id's linked accounts, ordered, as one string: a
// refused refresh or primary change must leave it as it was.
std::string BankAccountRows(const ServerProcess& server, const std::string& user_id);

}  // namespace cairn::test
