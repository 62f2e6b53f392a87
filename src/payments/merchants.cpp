#include "payments/merchants.h"

#include <algorithm>

#include "auth/account_rules.h"
#include "payments/account_numbers.h"
#include "payments/outbox.h"
#include "store/users.h"
#include "util/ids.h"
#include "util/json.h"

namespace cairn::payments {

namespace {

constexpr size_t kMaxAddress = 300;
constexpr int64_t kDay = 24 * 3600;

Status Validate(const NewMerchant& in) {
  std::vector<FieldError> errors;
  if (auth::FieldCheck c = auth::CheckName(in.business_name); !c.ok()) {
    errors.push_back({"businessName", "businessName: " + c.message, c.code});
  }
  bool nine_digits = in.org_number.size() == 9 &&
                     std::all_of(in.org_number.begin(), in.org_number.end(),
                                 [](char c) { return c >= '0' && c <= '9'; });
  if (!nine_digits) {
    errors.push_back({"orgNumber", "orgNumber must be exactly 9 digits", "invalid_format"});
  }
  if (json::CodePoints(in.address) > kMaxAddress) {
    errors.push_back({"address", "address must be at most 300 characters", "too_long"});
  } else if (in.address.find_first_of("<>") != std::string::npos) {
    errors.push_back({"address", "address must not contain markup", "invalid_format"});
  }
  if (!IsValidNorwegianAccount(in.bank_account)) {
    errors.push_back({"bankAccount",
                      "bankAccount must be a Norwegian account number (11 digits, valid "
                      "check digit), like 8601.11.17947",
                      "invalid_format"});
  }
  if (errors.empty()) return Status::Ok();
  return Status::Validation("Request validation failed", std::move(errors));
}

}  // namespace

std::string QrValue(const std::string& merchant_id) { return "cairn://pay/" + merchant_id; }

Merchants::Merchants(store::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

Result<store::MerchantRow> Merchants::Register(const auth::Principal& who, const NewMerchant& in) {
  if (Status s = Validate(in); !s.ok()) return s;
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  SQLite::Database& conn = **lease;
  int64_t now = UnixSeconds(clock_.Now());
  try {
    store::WriteTransaction tx(conn);
    Result<store::UserRow> user = store::FindUserById(conn, who.user_id);
    if (!user.ok()) return user.status();
    if (user->role == "merchant") {
      return Status::AlreadyExists("This account is registered as a merchant already");
    }
    if (user->role != "user") {
      return Status::FailedPrecondition("An admin account cannot become a merchant");
    }
    store::MerchantRow m{NewId("mer"), who.user_id, in.business_name, in.org_number,
                         in.address,   NormaliseAccountNumber(in.bank_account), now};
    if (Status s = store::InsertMerchant(conn, m); !s.ok()) {
      if (s.code() == Code::kAlreadyExists) {
        return Status::AlreadyExists("This organisation number is registered already");
      }
      return s;
    }
    user->role = "merchant";
    user->updated_at = now;
    if (Status s = store::UpdateUser(conn, *user); !s.ok()) return s;
    picojson::object data;
    data["id"] = picojson::value(m.id);
    data["businessName"] = picojson::value(m.business_name);
    data["qrValue"] = picojson::value(QrValue(m.id));
    if (Status s = Emit(conn, who.user_id, "merchant.registered", picojson::value(data), now);
        !s.ok()) {
      return s;
    }
    tx.Commit();
    return m;
  } catch (const std::exception& e) {
    return store::FromSqliteError(e, "register merchant");
  }
}

Result<store::MerchantRow> Merchants::Mine(const auth::Principal& who) {
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  return store::FindMerchantByUser(**lease, who.user_id);
}

Result<Dashboard> Merchants::Summarize(const auth::Principal& who, const std::string& period) {
  TimePoint now_tp = clock_.Now();
  int64_t now = UnixSeconds(now_tp);
  Dashboard d;
  d.period = period.empty() ? "today" : period;
  if (d.period == "today") {
    d.since = StartOfDayUtc(now_tp);
  } else if (d.period == "week") {
    d.since = StartOfDayUtc(now_tp) - 6 * kDay;
  } else if (d.period == "month") {
    d.since = StartOfMonthUtc(now_tp);
  } else {
    return Status::Validation("Request validation failed",
                              {{"period", "period must be today, week or month", "invalid_value"}});
  }
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  Result<store::MerchantRow> m = store::FindMerchantByUser(**lease, who.user_id);
  if (!m.ok()) return m.status();
  Result<store::MerchantTotals> totals = store::SumMerchantPayments(**lease, m->id, d.since);
  if (!totals.ok()) return totals.status();
  d.totals = *totals;
  // Payouts run daily at kPayoutHourUtc: the next one pays what completed
  // since the last.
  int64_t today_payout = StartOfDayUtc(now_tp) + kPayoutHourUtc * 3600;
  int64_t last_payout = now >= today_payout ? today_payout : today_payout - kDay;
  d.next_payout_time = last_payout + kDay;
  Result<store::MerchantTotals> pending = store::SumMerchantPayments(**lease, m->id, last_payout);
  if (!pending.ok()) return pending.status();
  d.next_payout = pending->revenue;
  return d;
}

Result<std::vector<store::MerchantPaymentRow>> Merchants::Payments(const auth::Principal& who,
                                                                  const store::ListSpec& spec,
                                                                  store::ListResult* result) {
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  Result<store::MerchantRow> m = store::FindMerchantByUser(**lease, who.user_id);
  if (!m.ok()) return m.status();
  return store::ListMerchantPayments(**lease, m->id, spec, result);
}

}  // namespace cairn::payments
