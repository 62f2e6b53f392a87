#include "payments/sandbox_bank.h"

#include <sodium.h>

#include <algorithm>
#include <cstdio>

#include "payments/account_numbers.h"
#include "store/sandbox_bank.h"
#include "util/ids.h"

namespace cairn::payments {

namespace {

std::string Dotted(const std::string& digits) {
  return digits.substr(0, 4) + "." + digits.substr(4, 2) + "." + digits.substr(6);
}

BankAccountInfo InfoOf(const store::SandboxAccountRow& a) {
  return {a.account_number, a.bank_name, a.currency, a.balance};
}

// The bank's reference for a payment: "sbp_", the second it was accepted
// (8 hex) and 48 random bits (12 hex). It is the bank's numbering, not a
// Cairn id: leading with the time makes the bank's table append references
// at the end of their index instead of at a random page (one page fewer
// written per payment), and 48 random bits keep the payments of one second
// apart (a clash, which the index refuses, is tried again).
std::string PaymentReference(int64_t now) {
  char seconds[9];
  std::snprintf(seconds, sizeof seconds, "%08llx",
                static_cast<unsigned long long>(now) & 0xffffffffULL);
  return "sbp_" + std::string(seconds) + RandomHex(6);
}

}  // namespace

std::string SandboxBank::NewAccountNumber() {
  for (;;) {
    std::string ten;
    for (int i = 0; i < 10; ++i) ten.push_back(static_cast<char>('0' + randombytes_uniform(10)));
    int check = NorwegianCheckDigit(ten);
    if (check >= 0) return Dotted(ten + static_cast<char>('0' + check));
  }
}

Result<BankAccountInfo> SandboxBank::Link(SQLite::Database& conn, const LinkRequest& req,
                                          int64_t now) {
  // 10^10 numbers: a collision is rare, and retried.
  for (int attempt = 0; attempt < 5; ++attempt) {
    store::SandboxAccountRow a{NewAccountNumber(), req.bank_name, req.currency,
                               req.initial_balance, now};
    Status s = store::InsertSandboxAccount(conn, a);
    if (s.ok()) return InfoOf(a);
    if (s.code() != Code::kAlreadyExists) return s;
  }
  return Status::Internal("Could not allocate an account number");
}

Result<BankAccountInfo> SandboxBank::Read(SQLite::Database& conn,
                                          const std::string& account_number) {
  Result<store::SandboxAccountRow> a = store::FindSandboxAccount(conn, account_number);
  if (!a.ok()) return a.status();
  return InfoOf(*a);
}

Result<PaymentStatus> SandboxBank::Submit(SQLite::Database& conn, const PaymentOrder& order,
                                          int64_t now) {
  Result<int64_t> balance = store::DebitSandboxAccount(conn, order.account_number, order.amount);
  if (!balance.ok()) return balance.status();
  store::SandboxPaymentRow p;
  p.account_number = order.account_number;
  p.amount = order.amount;
  p.status = order.instant ? "completed" : "processing";
  p.settle_at = order.instant ? now : now + opts_.settle_seconds;
  // The outcome is fixed now, by the amount the payer instructed, and kept
  // with the payment until settlement reveals it.
  if (!order.instant && FailsAtSettlement(order.instructed)) {
    p.failure = "Rejected by the receiving bank (sandbox rule: amounts ending in ." +
                std::to_string(order.instructed % 100) + ")";
  }
  p.created_at = now;
  p.settled_at = order.instant ? now : 0;
  Status inserted;
  for (int attempt = 0; attempt < 3; ++attempt) {
    p.id = PaymentReference(now);
    inserted = store::InsertSandboxPayment(conn, p);
    if (inserted.code() != Code::kAlreadyExists) break;
  }
  if (!inserted.ok()) return inserted;
  PaymentStatus out;
  out.ref = p.id;
  out.state = order.instant ? PaymentState::kCompleted : PaymentState::kProcessing;
  out.balance_after = *balance;
  return out;
}

Result<std::vector<std::string>> SandboxBank::Due(SQLite::Database& conn, int64_t now,
                                                  size_t limit) {
  return store::DueSandboxPayments(conn, now, limit);
}

bool SandboxBank::FailsAtSettlement(int64_t amount) const {
  int cents = static_cast<int>(amount % 100);
  return std::find(opts_.fail_cents.begin(), opts_.fail_cents.end(), cents) !=
         opts_.fail_cents.end();
}

Result<PaymentStatus> SandboxBank::Settle(SQLite::Database& conn, const std::string& ref,
                                          int64_t now) {
  Result<store::SandboxPaymentRow> p = store::FindSandboxPayment(conn, ref);
  if (!p.ok()) return p.status();
  PaymentStatus out;
  out.ref = ref;
  bool fails = !p->failure.empty();
  const std::string& failure = p->failure;
  if (Status s = store::FinishSandboxPayment(conn, ref, fails ? "failed" : "completed", failure,
                                             now);
      !s.ok()) {
    return s;
  }
  Result<int64_t> balance = fails ? store::CreditSandboxAccount(conn, p->account_number, p->amount)
                                  : Result<int64_t>(0);
  if (!balance.ok()) return balance.status();
  if (!fails) {
    Result<store::SandboxAccountRow> a = store::FindSandboxAccount(conn, p->account_number);
    if (!a.ok()) return a.status();
    balance = a->balance;
  }
  out.state = fails ? PaymentState::kFailed : PaymentState::kCompleted;
  out.failure = failure;
  out.balance_after = *balance;
  return out;
}

}  // namespace cairn::payments
