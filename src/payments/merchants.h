#pragma once

// Merchants (API.md §9, §13): a user registers a business and becomes a
// merchant that takes QR payments; the merchant's dashboard, QR value and
// payments, with payers shown by first name and last initial only.
//
// Registering changes the user's role to merchant in the same transaction
// that creates the merchant and emits merchant.registered. Access tokens
// carry the role they were issued with, so the caller refreshes
// (POST /auth/refresh) to act as a merchant.
//
// Money model: the payer pays the 1 % fee on top; the merchant receives the
// full amount. Payouts go to the merchant's NOK account once a day at
// kPayoutHourUtc for the payments completed since the last one.
//
// Thread-safe: state is in the database.

#include <cstdint>
#include <string>
#include <vector>

#include "auth/access.h"
#include "store/database.h"
#include "store/merchants.h"
#include "util/clock.h"
#include "util/status.h"

namespace cairn::payments {

inline constexpr int kPayoutHourUtc = 9;

struct NewMerchant {
  std::string business_name;
  std::string org_number;    // 9 digits
  std::string address;       // optional, at most 300 characters
  std::string bank_account;  // Norwegian, MOD11-checked
};

struct Dashboard {
  std::string period;  // today, week, month
  int64_t since = 0;
  store::MerchantTotals totals;
  int64_t next_payout = 0;       // revenue completed since the last payout
  int64_t next_payout_time = 0;  // Unix seconds
};

// "cairn://pay/mer_…": what a merchant's QR code holds.
std::string QrValue(const std::string& merchant_id);

class Merchants {
 public:
  Merchants(store::Database& db, const Clock& clock);
  Merchants(const Merchants&) = delete;
  Merchants& operator=(const Merchants&) = delete;

  // Validation for bad fields; AlreadyExists (409) when the caller is a
  // merchant already or the org number is taken; FailedPrecondition (409)
  // for an admin.
  Result<store::MerchantRow> Register(const auth::Principal& who, const NewMerchant& in);
  // The caller's merchant; NotFound if they have none.
  Result<store::MerchantRow> Mine(const auth::Principal& who);
  // period: today (default), week (today and the six days before) or month
  // (this calendar month), UTC; Validation for anything else.
  Result<Dashboard> Summarize(const auth::Principal& who, const std::string& period);
  Result<std::vector<store::MerchantPaymentRow>> Payments(const auth::Principal& who,
                                                         const store::ListSpec& spec,
                                                         store::ListResult* result);

 private:
  store::Database& db_;
  const Clock& clock_;
};

}  // namespace cairn::payments
