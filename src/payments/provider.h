#pragma once

// The bank behind Cairn (API.md §9): Cairn never holds money. It reads
// accounts and balances through an account-information provider (AISP) and
// initiates payments at the bank through a payment-initiation provider
// (PISP). These are the two interfaces; the built-in sandbox bank
// (payments/sandbox_bank.h) implements both, and tests pass fakes.
//
// Every call takes the database connection of the caller's open transaction
// and joins it: the sandbox bank keeps its books in the same SQLite file, so
// a debit at the bank and the transaction row that records it commit or roll
// back together. (A remote provider would need its own two-step protocol;
// none is built.)

#include <cstdint>
#include <string>
#include <vector>

#include "util/status.h"

namespace SQLite {
class Database;
}

namespace cairn::payments {

// An account as the bank reports it.
struct BankAccountInfo {
  std::string account_number;  // "1234.56.78901"
  std::string bank_name;
  std::string currency;
  int64_t balance = 0;  // minor units
};

// Opening (linking) an account: the sandbox creates one holding
// initial_balance; a real provider would run its consent flow instead.
struct LinkRequest {
  std::string bank_name;
  std::string currency;
  int64_t initial_balance = 0;
};

class AccountInformation {
 public:
  virtual ~AccountInformation() = default;
  // The name stored with each linked account ("sandbox").
  virtual std::string name() const = 0;
  virtual Result<BankAccountInfo> Link(SQLite::Database& conn, const LinkRequest& req,
                                       int64_t now) = 0;
  // The account as it stands now. NotFound if the bank does not know it.
  virtual Result<BankAccountInfo> Read(SQLite::Database& conn,
                                       const std::string& account_number) = 0;
};

enum class PaymentState { kProcessing, kCompleted, kFailed };

struct PaymentOrder {
  std::string account_number;  // the payer's account
  int64_t amount = 0;          // minor units, debited in full (fee included)
  int64_t instructed = 0;      // what the payer asked to send, fee excluded
  bool instant = false;        // a QR payment settles at once
};

struct PaymentStatus {
  std::string ref;  // the bank's payment id
  PaymentState state = PaymentState::kProcessing;
  std::string failure;  // why, when failed
  int64_t balance_after = 0;  // the payer's balance once this took effect
};

class PaymentInitiation {
 public:
  virtual ~PaymentInitiation() = default;
  // Debits the account and accepts the payment. FailedPrecondition
  // ("insufficient_balance") when the account cannot cover it: nothing is
  // debited.
  virtual Result<PaymentStatus> Submit(SQLite::Database& conn, const PaymentOrder& order,
                                       int64_t now) = 0;
  // Payments still processing whose outcome is due at `now`, oldest first,
  // at most `limit`.
  virtual Result<std::vector<std::string>> Due(SQLite::Database& conn, int64_t now,
                                               size_t limit) = 0;
  // Decides a due payment: completed, or failed with the debit refunded.
  // FailedPrecondition if it is no longer processing (settled already).
  virtual Result<PaymentStatus> Settle(SQLite::Database& conn, const std::string& ref,
                                       int64_t now) = 0;
};

}  // namespace cairn::payments
