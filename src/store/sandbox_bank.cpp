#include "store/sandbox_bank.h"

#include <SQLiteCpp/Statement.h>

#include "store/database.h"

namespace cairn::store {

namespace {

Status Insufficient() {
  return Status::FailedPrecondition("The bank account's balance does not cover this payment")
      .WithReason("insufficient_balance");
}

SandboxPaymentRow ReadPayment(SQLite::Statement& q) {
  SandboxPaymentRow p;
  p.id = q.getColumn(0).getString();
  p.account_number = q.getColumn(1).getString();
  p.amount = q.getColumn(2).getInt64();
  p.status = q.getColumn(3).getString();
  p.settle_at = q.getColumn(4).getInt64();
  p.failure = q.getColumn(5).getString();
  p.created_at = q.getColumn(6).getInt64();
  p.settled_at = q.getColumn(7).getInt64();
  return p;
}

}  // namespace

Status InsertSandboxAccount(SQLite::Database& db, const SandboxAccountRow& a) {
  try {
    Query q(db,
            "INSERT INTO sandbox_accounts (account_number, bank_name, currency, balance, "
            "created_at) VALUES (?, ?, ?, ?, ?)");
    q->bind(1, a.account_number);
    q->bind(2, a.bank_name);
    q->bind(3, a.currency);
    q->bind(4, a.balance);
    q->bind(5, a.created_at);
    q->exec();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "insert sandbox account");
  }
}

Result<SandboxAccountRow> FindSandboxAccount(SQLite::Database& db, const std::string& number) {
  try {
    Query q(db,
            "SELECT account_number, bank_name, currency, balance, created_at "
            "FROM sandbox_accounts WHERE account_number = ?");
    q->bind(1, number);
    if (!q->executeStep()) return Status::NotFound("The bank has no such account");
    SandboxAccountRow a;
    a.account_number = q->getColumn(0).getString();
    a.bank_name = q->getColumn(1).getString();
    a.currency = q->getColumn(2).getString();
    a.balance = q->getColumn(3).getInt64();
    a.created_at = q->getColumn(4).getInt64();
    return a;
  } catch (const std::exception& e) {
    return FromSqliteError(e, "find sandbox account");
  }
}

Result<int64_t> DebitSandboxAccount(SQLite::Database& db, const std::string& number,
                                    int64_t amount) {
  try {
    // One statement: the check and the debit cannot be separated.
    Query q(db,
            "UPDATE sandbox_accounts SET balance = balance - ?1 "
            "WHERE account_number = ?2 AND balance >= ?1 RETURNING balance");
    q->bind(1, amount);
    q->bind(2, number);
    if (q->executeStep()) return q->getColumn(0).getInt64();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "debit sandbox account");
  }
  Result<SandboxAccountRow> exists = FindSandboxAccount(db, number);
  if (!exists.ok()) return exists.status();
  return Insufficient();
}

Result<int64_t> CreditSandboxAccount(SQLite::Database& db, const std::string& number,
                                     int64_t amount) {
  try {
    Query q(db,
            "UPDATE sandbox_accounts SET balance = balance + ?1 WHERE account_number = ?2 "
            "RETURNING balance");
    q->bind(1, amount);
    q->bind(2, number);
    if (!q->executeStep()) return Status::NotFound("The bank has no such account");
    return q->getColumn(0).getInt64();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "credit sandbox account");
  }
}

Status InsertSandboxPayment(SQLite::Database& db, const SandboxPaymentRow& p) {
  try {
    Query q(db,
            "INSERT INTO sandbox_payments (id, account_number, amount, status, settle_at, "
            "failure, created_at, settled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    q->bind(1, p.id);
    q->bind(2, p.account_number);
    q->bind(3, p.amount);
    q->bind(4, p.status);
    q->bind(5, p.settle_at);
    BindOrNull(*q, 6, p.failure);
    q->bind(7, p.created_at);
    BindOrNull(*q, 8, p.settled_at);
    q->exec();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "insert sandbox payment");
  }
}

Result<SandboxPaymentRow> FindSandboxPayment(SQLite::Database& db, const std::string& id) {
  try {
    Query q(db,
            "SELECT id, account_number, amount, status, settle_at, coalesce(failure, ''), "
            "created_at, coalesce(settled_at, 0) FROM sandbox_payments WHERE id = ?");
    q->bind(1, id);
    if (!q->executeStep()) return Status::NotFound("The bank has no such payment");
    return ReadPayment(*q);
  } catch (const std::exception& e) {
    return FromSqliteError(e, "find sandbox payment");
  }
}

Result<std::vector<std::string>> DueSandboxPayments(SQLite::Database& db, int64_t now,
                                                    size_t limit) {
  try {
    Query q(db,
            "SELECT id FROM sandbox_payments WHERE status = 'processing' AND settle_at <= ? "
            "ORDER BY settle_at, rowid LIMIT ?");
    q->bind(1, now);
    q->bind(2, static_cast<int64_t>(limit));
    std::vector<std::string> out;
    while (q->executeStep()) out.push_back(q->getColumn(0).getString());
    return out;
  } catch (const std::exception& e) {
    return FromSqliteError(e, "list due sandbox payments");
  }
}

Status FinishSandboxPayment(SQLite::Database& db, const std::string& id,
                            const std::string& status, const std::string& failure, int64_t now) {
  try {
    Query q(db,
            "UPDATE sandbox_payments SET status = ?, failure = ?, settled_at = ? "
            "WHERE id = ? AND status = 'processing'");
    q->bind(1, status);
    BindOrNull(*q, 2, failure);
    q->bind(3, now);
    q->bind(4, id);
    if (q->exec() == 0) return Status::FailedPrecondition("The payment is no longer processing");
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "finish sandbox payment");
  }
}

}  // namespace cairn::store
