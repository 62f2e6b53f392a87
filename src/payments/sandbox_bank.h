#pragma once

// The built-in sandbox bank (API.md §13): plays the user's bank for both
// account information and payment initiation, with its books in Cairn's own
// database (store/sandbox_bank.h).
//
// Linking opens an account with a generated Norwegian-style number
// ("1234.56.78901", the last digit a MOD11 check digit, as real ones have)
// holding the requested opening balance. A payment is debited when it is
// submitted; an instant one (QR) completes at once, others stay processing
// for settle_seconds and are then decided by Settle: completed, or failed and
// refunded when the amount's cents are one of fail_cents (so clients can
// test their failure path: 100.13 NOK fails by default).
//
// Thread-safe: it holds no state of its own besides its options.

#include <string>
#include <vector>

#include "payments/provider.h"

namespace cairn::payments {

struct SandboxOptions {
  int settle_seconds = 5;
  std::vector<int> fail_cents = {13};
};

class SandboxBank final : public AccountInformation, public PaymentInitiation {
 public:
  explicit SandboxBank(SandboxOptions opts) : opts_(std::move(opts)) {}

  std::string name() const override { return "sandbox"; }
  Result<BankAccountInfo> Link(SQLite::Database& conn, const LinkRequest& req,
                               int64_t now) override;
  Result<BankAccountInfo> Read(SQLite::Database& conn,
                               const std::string& account_number) override;

  Result<PaymentStatus> Submit(SQLite::Database& conn, const PaymentOrder& order,
                               int64_t now) override;
  Result<std::vector<std::string>> Due(SQLite::Database& conn, int64_t now,
                                       size_t limit) override;
  Result<PaymentStatus> Settle(SQLite::Database& conn, const std::string& ref,
                               int64_t now) override;

  // Eleven digits, dotted 4.2.5, with a valid MOD11 check digit.
  static std::string NewAccountNumber();

 private:
  bool FailsAtSettlement(int64_t amount) const;

  const SandboxOptions opts_;
};

}  // namespace cairn::payments
