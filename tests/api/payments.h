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

// error.code of a refused response.
std::string ErrorCode(const httplib::Result& res);

// A JSON number at a dotted path (an integer or not); REQUIREs a number.
double Number(const picojson::object& o, const std::string& dotted);

// "1234.56.78901" whose last digit is the Norwegian MOD11 check digit of
// the first ten.
bool IsMod11AccountNumber(const std::string& dotted);

// "2026-01-15T10:30:00Z".
bool IsIsoTime(const std::string& s);
// prefix + 16 lowercase hex digits.
bool IsHexId(const std::string& s, const std::string& prefix);

// Runs sql on the server's database opened read-write (WAL lets the server
// keep running), as the sandbox bank's own books change.
void ExecSql(const ServerProcess& server, const std::string& sql);

// Row counts of every table linking touches, as one comparable string:
// "bank_accounts=1 sandbox_accounts=1 events=1 idempotency_keys=0".
std::string PaymentRows(const ServerProcess& server);

// Everything about user_id's linked accounts, ordered, as one string: a
// refused refresh or primary change must leave it as it was.
std::string BankAccountRows(const ServerProcess& server, const std::string& user_id);

}  // namespace cairn::test
