#pragma once

// The sandbox bank's books (sandbox_accounts, sandbox_payments): the SQL
// behind payments/sandbox_bank.h. Each function runs on the connection it is
// given, inside the caller's transaction when there is one.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <string>
#include <vector>

#include "util/status.h"

namespace cairn::store {

struct SandboxAccountRow {
  std::string account_number;
  std::string bank_name;
  std::string currency;
  int64_t balance = 0;
  int64_t created_at = 0;
};

struct SandboxPaymentRow {
  std::string id;
  std::string account_number;
  int64_t amount = 0;
  std::string status;  // processing, completed, failed
  int64_t settle_at = 0;
  std::string failure;
  int64_t created_at = 0;
  int64_t settled_at = 0;
};

// AlreadyExists if the account number is taken.
Status InsertSandboxAccount(SQLite::Database& db, const SandboxAccountRow& a);
// NotFound if there is no such account.
Result<SandboxAccountRow> FindSandboxAccount(SQLite::Database& db, const std::string& number);

// Takes amount from the account if it holds that much and returns the new
// balance; FailedPrecondition (reason insufficient_balance) if it does not,
// NotFound if there is no such account. Nothing changes on failure.
Result<int64_t> DebitSandboxAccount(SQLite::Database& db, const std::string& number,
                                    int64_t amount);
// Adds amount back; returns the new balance.
Result<int64_t> CreditSandboxAccount(SQLite::Database& db, const std::string& number,
                                     int64_t amount);

Status InsertSandboxPayment(SQLite::Database& db, const SandboxPaymentRow& p);
Result<SandboxPaymentRow> FindSandboxPayment(SQLite::Database& db, const std::string& id);
// Ids of processing payments with settle_at <= now, oldest first.
Result<std::vector<std::string>> DueSandboxPayments(SQLite::Database& db, int64_t now,
                                                    size_t limit);
// Moves a processing payment to `status`; FailedPrecondition if it was not
// processing any more (so no payment is settled twice).
Status FinishSandboxPayment(SQLite::Database& db, const std::string& id,
                            const std::string& status, const std::string& failure, int64_t now);

}  // namespace cairn::store
