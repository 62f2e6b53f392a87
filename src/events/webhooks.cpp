#include "events/webhooks.h"

#include <algorithm>

#include "events/webhook_signature.h"
#include "util/ids.h"
#include "util/json.h"

namespace cairn::events {

namespace {

bool Wants(const store::WebhookRow& w, const std::string& type) {
  if (w.events == "*") return true;
  size_t start = 0;
  while (start <= w.events.size()) {
    size_t end = w.events.find(' ', start);
    if (end == std::string::npos) end = w.events.size();
    if (w.events.compare(start, end - start, type) == 0) return true;
    start = end + 1;
  }
  return false;
}

// The event list as stored: "*", or the distinct types sorted and
// space-separated. Validation naming `events` for anything else.
Result<std::string> NormaliseEvents(const std::vector<std::string>& events) {
  auto invalid = [](std::string message, const char* code) {
    return Status::Validation("Request validation failed", {{"events", std::move(message), code}});
  };
  if (events.empty() || events.size() > kMaxWebhookEvents) {
    return invalid("events must hold 1 to 20 event types", "invalid_length");
  }
  const std::vector<std::string>& known = WebhookEventTypes();
  std::vector<std::string> types;
  for (const std::string& t : events) {
    if (t == "*") {
      if (events.size() != 1) return invalid("\"*\" stands alone: it means every type", "invalid_value");
      return std::string("*");
    }
    if (std::find(known.begin(), known.end(), t) == known.end()) {
      return invalid("Unknown event type: " + t.substr(0, 64), "invalid_value");
    }
    types.push_back(t);
  }
  std::sort(types.begin(), types.end());
  types.erase(std::unique(types.begin(), types.end()), types.end());
  std::string joined;
  for (const std::string& t : types) joined += (joined.empty() ? "" : " ") + t;
  return joined;
}

}  // namespace

const std::vector<std::string>& WebhookEventTypes() {
  static const std::vector<std::string> kTypes = {
      "bank_account.linked",   "complaint.created",     "merchant.registered",
      "password_reset.requested", "recipient.created",  "transaction.completed",
      "transaction.created",   "transaction.failed",
  };
  return kTypes;
}

std::string DeliveryPayload(const store::EventRow& e) {
  picojson::object o;
  o["id"] = picojson::value(e.id);
  o["type"] = picojson::value(e.type);
  Result<picojson::object> data = json::ParseObject(e.data);
  o["data"] = data.ok() ? picojson::value(*data) : picojson::value(picojson::object{});
  o["timestamp"] = picojson::value(FormatIso8601(TimePoint(std::chrono::seconds(e.created_at))));
  o["version"] = picojson::value("1");
  return json::Serialize(picojson::value(o));
}

Webhooks::Webhooks(store::Database& db, const Clock& clock, Resolver resolve, bool allow_private)
    : db_(db), clock_(clock), resolve_(std::move(resolve)), allow_private_(allow_private) {}

Result<store::WebhookRow> Webhooks::Register(const auth::Principal& who, const NewWebhook& in) {
  Result<WebhookUrl> url = ParseWebhookUrl(in.url);
  Result<std::string> events = NormaliseEvents(in.events);
  if (!url.ok() || !events.ok()) {
    std::vector<FieldError> errors;
    for (const Status* s : {&url.status(), &events.status()}) {
      if (!s->ok()) errors.insert(errors.end(), s->details().begin(), s->details().end());
    }
    return Status::Validation("Request validation failed", std::move(errors));
  }
  // The lookup is outside any transaction: it may take seconds.
  Result<IpAddress> target = ResolveWebhookTarget(*url, resolve_, allow_private_);
  if (!target.ok()) return target.status();

  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  SQLite::Database& conn = **lease;
  try {
    store::WriteTransaction tx(conn);
    Result<int64_t> count = store::CountWebhooks(conn, who.user_id);
    if (!count.ok()) return count.status();
    if (*count >= kMaxWebhooks) {
      return Status::FailedPrecondition("At most " + std::to_string(kMaxWebhooks) +
                                        " webhooks per account; delete one first");
    }
    store::WebhookRow w{NewId("whk"), who.user_id, in.url, *events, NewWebhookSecret(),
                        UnixSeconds(clock_.Now())};
    if (Status s = store::InsertWebhook(conn, w); !s.ok()) return s;
    tx.Commit();
    return w;
  } catch (const std::exception& e) {
    return store::FromSqliteError(e, "register webhook");
  }
}

Result<std::vector<store::WebhookRow>> Webhooks::List(const auth::Principal& who,
                                                      const store::ListSpec& spec,
                                                      store::ListResult* result) {
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  return store::ListWebhooks(**lease, who.user_id, spec, result);
}

Result<store::WebhookRow> Webhooks::Get(const auth::Principal& who, const std::string& id) {
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  return store::FindWebhook(**lease, who.user_id, id);
}

Status Webhooks::Delete(const auth::Principal& who, const std::string& id) {
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  try {
    store::WriteTransaction tx(**lease);
    Status s = store::DeleteWebhook(**lease, who.user_id, id, UnixSeconds(clock_.Now()));
    if (!s.ok()) return s;
    tx.Commit();
    return Status::Ok();
  } catch (const std::exception& e) {
    return store::FromSqliteError(e, "delete webhook");
  }
}

Result<std::vector<DeliveryWithAttempts>> Webhooks::Deliveries(const auth::Principal& who,
                                                               const std::string& webhook_id,
                                                               const store::ListSpec& spec,
                                                               store::ListResult* result) {
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  SQLite::Database& conn = **lease;
  if (Result<store::WebhookRow> w = store::FindWebhook(conn, who.user_id, webhook_id); !w.ok()) {
    return w.status();
  }
  Result<std::vector<store::DeliveryRow>> rows =
      store::ListDeliveries(conn, webhook_id, spec, result);
  if (!rows.ok()) return rows.status();
  std::vector<std::string> ids;
  for (const store::DeliveryRow& d : *rows) ids.push_back(d.id);
  Result<std::vector<store::AttemptRow>> attempts = store::AttemptsOf(conn, ids);
  if (!attempts.ok()) return attempts.status();
  std::vector<DeliveryWithAttempts> out;
  for (store::DeliveryRow& d : *rows) {
    DeliveryWithAttempts item{std::move(d), {}};
    for (const store::AttemptRow& a : *attempts) {
      if (a.delivery_id == item.delivery.id) item.attempts.push_back(a);
    }
    out.push_back(std::move(item));
  }
  return out;
}

Result<store::DeliveryRow> Webhooks::Redeliver(const auth::Principal& who,
                                               const std::string& webhook_id,
                                               const std::string& delivery_id) {
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  SQLite::Database& conn = **lease;
  try {
    store::WriteTransaction tx(conn);
    Result<store::WebhookRow> w = store::FindWebhook(conn, who.user_id, webhook_id);
    if (!w.ok()) return w.status();
    Result<store::DeliveryRow> old = store::FindDelivery(conn, who.user_id, webhook_id, delivery_id);
    if (!old.ok()) return old.status();
    if (old->status == "pending") {
      return Status::AlreadyExists("This delivery is still pending; it will be tried again");
    }
    TimePoint now = clock_.Now();
    store::DeliveryRow d;
    d.id = NewId("whd");
    d.webhook_id = webhook_id;
    d.user_id = who.user_id;
    d.event_id = old->event_id;
    d.event_type = old->event_type;
    d.payload = old->payload;
    d.status = "pending";
    d.next_attempt_at =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    d.created_at = UnixSeconds(now);
    if (Status s = store::InsertDelivery(conn, d); !s.ok()) return s;
    tx.Commit();
    return d;
  } catch (const std::exception& e) {
    return store::FromSqliteError(e, "redeliver webhook");
  }
}

Status Webhooks::Accept(SQLite::Database& conn, const store::EventRow& e, int64_t now) {
  Result<std::vector<store::WebhookRow>> hooks = store::WebhooksOf(conn, e.user_id);
  if (!hooks.ok()) return hooks.status();
  std::string payload;
  for (const store::WebhookRow& w : *hooks) {
    if (!Wants(w, e.type)) continue;
    if (payload.empty()) payload = DeliveryPayload(e);
    store::DeliveryRow d;
    d.id = NewId("whd");
    d.webhook_id = w.id;
    d.user_id = e.user_id;
    d.event_id = e.id;
    d.event_type = e.type;
    d.payload = payload;
    d.status = "pending";
    d.next_attempt_at = now * 1000;
    d.created_at = now;
    if (Status s = store::InsertDelivery(conn, d); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace cairn::events
