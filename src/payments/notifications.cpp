#include "payments/notifications.h"

#include <algorithm>

#include "payments/money.h"
#include "store/events.h"
#include "util/ids.h"
#include "util/json.h"

namespace cairn::payments {

namespace {

constexpr const char* kCurrencies[] = {"EUR", "USD", "GBP", "BAM", "CHF",
                                       "PLN", "NOK", "RSD", "TRY", "PKR"};
constexpr const char* kLanguages[] = {"nb", "en", "bs", "sq"};

template <size_t N>
bool OneOf(const std::string& v, const char* const (&list)[N]) {
  return std::any_of(std::begin(list), std::end(list), [&v](const char* x) { return v == x; });
}

std::string Field(const picojson::object& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->second.is<std::string>() ? it->second.get<std::string>() : "";
}

std::string Amount(const picojson::object& o, const char* key) {
  auto it = o.find(key);
  int64_t minor = 0;
  if (it == o.end() || ParseAmount(it->second, &minor) != AmountError::kNone) return "";
  return FormatAmount(minor) + " NOK";
}

// What a person is told about an event: title and body, or nothing.
bool Describe(const store::EventRow& e, std::string* title, std::string* body) {
  Result<picojson::object> parsed = json::ParseObject(e.data);
  if (!parsed.ok()) return false;
  const picojson::object& d = *parsed;
  bool remittance = Field(d, "type") == "remittance";
  std::string to = remittance ? Field(d, "recipientName") : Field(d, "merchantName");
  if (e.type == "transaction.created" && remittance) {
    *title = "Transfer started";
    *body = "Your transfer of " + Amount(d, "amount") + " to " + to + " is on its way.";
  } else if (e.type == "transaction.completed") {
    *title = remittance ? "Transfer completed" : "Payment completed";
    *body = remittance ? "Your transfer of " + Amount(d, "amount") + " to " + to + " arrived."
                       : "You paid " + Amount(d, "amount") + " to " + to + ".";
  } else if (e.type == "transaction.failed") {
    *title = "Transfer failed";
    *body = "Your transfer of " + Amount(d, "amount") + " to " + to +
            " failed and was refunded: " + Field(d, "failure");
  } else if (e.type == "recipient.created") {
    *title = "Recipient added";
    *body = Field(d, "name") + " can now receive your transfers.";
  } else if (e.type == "bank_account.linked") {
    *title = "Bank account linked";
    *body = "Your " + Field(d, "bankName") + " account is linked.";
  } else if (e.type == "merchant.registered") {
    *title = "Merchant registered";
    *body = Field(d, "businessName") + " can now take QR payments.";
  } else if (e.type == "password_reset.requested") {
    *title = "Password reset requested";
    *body = "Someone asked to reset your password. The token was mailed to you (in the "
            "sandbox: `cairn mail`) and works until " +
            Field(d, "expiresAt") + ". If it was not you, ignore it: your password stays.";
  } else {
    return false;
  }
  return true;
}

}  // namespace

Notifications::Notifications(store::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

Result<std::vector<store::NotificationRow>> Notifications::List(const auth::Principal& who,
                                                                bool unread_only,
                                                                const store::ListSpec& spec,
                                                                store::ListResult* result) {
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  return store::ListNotifications(**lease, who.user_id, unread_only, spec, result);
}

Result<int64_t> Notifications::MarkRead(const auth::Principal& who,
                                        const std::vector<std::string>& ids) {
  if (ids.empty() || ids.size() > kMaxMarkRead) {
    return Status::Validation(
        "Request validation failed",
        {{"notificationIds", "notificationIds must hold 1 to 100 ids", "invalid_length"}});
  }
  for (const std::string& id : ids) {
    if (!IsWellFormedId(id)) {
      return Status::Validation("Request validation failed",
                                {{"notificationIds", "Not a notification id: " + id.substr(0, 40),
                                  "invalid_format"}});
    }
  }
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  try {
    store::WriteTransaction tx(**lease);
    Result<int64_t> n =
        store::MarkNotificationsRead(**lease, who.user_id, ids, UnixSeconds(clock_.Now()));
    if (!n.ok()) return n.status();
    tx.Commit();
    return n;
  } catch (const std::exception& e) {
    return store::FromSqliteError(e, "mark notifications read");
  }
}

Result<store::SettingsRow> Notifications::Settings(const auth::Principal& who) {
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  return store::FindSettings(**lease, who.user_id);
}

Result<store::SettingsRow> Notifications::UpdateSettings(const auth::Principal& who,
                                                         const SettingsPatch& p) {
  std::vector<FieldError> errors;
  if (p.currency && !OneOf(*p.currency, kCurrencies)) {
    errors.push_back({"currency",
                      "currency must be one of EUR, USD, GBP, BAM, CHF, PLN, NOK, RSD, TRY, PKR",
                      "invalid_value"});
  }
  if (p.language && !OneOf(*p.language, kLanguages)) {
    errors.push_back({"language", "language must be one of nb, en, bs, sq", "invalid_value"});
  }
  if (!errors.empty()) return Status::Validation("Request validation failed", std::move(errors));
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  try {
    store::WriteTransaction tx(**lease);
    Result<store::SettingsRow> s = store::FindSettings(**lease, who.user_id);
    if (!s.ok()) return s.status();
    if (p.currency) s->currency = *p.currency;
    if (p.language) s->language = *p.language;
    if (p.push_enabled) s->push_enabled = *p.push_enabled;
    if (p.email_enabled) s->email_enabled = *p.email_enabled;
    s->updated_at = UnixSeconds(clock_.Now());
    if (Status st = store::SaveSettings(**lease, *s); !st.ok()) return st;
    tx.Commit();
    return s;
  } catch (const std::exception& e) {
    return store::FromSqliteError(e, "update settings");
  }
}

Status Notifications::Accept(SQLite::Database& conn, const store::EventRow& e, int64_t now) {
  std::string title, body;
  if (!Describe(e, &title, &body)) return Status::Ok();
  Result<store::SettingsRow> settings = store::FindSettings(conn, e.user_id);
  if (!settings.ok()) return settings.status();
  if (!settings->push_enabled) return Status::Ok();
  store::NotificationRow n{NewId("noti"), e.user_id, e.id, e.type, title, body, 0, now};
  return store::InsertNotification(conn, n);
}

}  // namespace cairn::payments
