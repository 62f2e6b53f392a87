// /api/v1/webhooks: register (the secret shown once), list, read, delete,
// the deliveries of one, and redelivery.

#include "events/webhooks.h"
#include "http/envelope.h"
#include "http/fields.h"
#include "http/handlers_events.h"
#include "http/lists.h"
#include "http/user_json.h"
#include "util/ids.h"
#include "util/json.h"

namespace cairn::http {

namespace {

constexpr char kWebhookProps[] = R"(
    "id": {"type": "string", "pattern": "^whk_[a-f0-9]{16}$"},
    "url": {"type": "string", "format": "uri"},
    "events": {"type": "array", "items": {"type": "string"},
               "description": "Event types delivered, or [\"*\"] for all"},
    "createdAt": {"type": "string", "format": "date-time"})";

const std::string kWebhookSchema = std::string(R"({"type": "object",
  "required": ["id", "url", "events", "createdAt"], "properties": {)") +
                                   kWebhookProps + "}}";

const std::string kCreatedSchema = std::string(R"({"type": "object",
  "required": ["id", "url", "events", "createdAt", "secret"], "properties": {)") +
                                   kWebhookProps + R"(,
    "secret": {"type": "string", "pattern": "^whsec_[A-Za-z0-9+/]{32}$",
               "description": "The signing secret; shown here only"}}})";

constexpr char kDeliverySchema[] = R"({"type": "object",
  "required": ["id", "webhookId", "eventId", "eventType", "status", "attempts", "createdAt"],
  "properties": {
    "id": {"type": "string", "pattern": "^whd_[a-f0-9]{16}$"},
    "webhookId": {"type": "string", "pattern": "^whk_[a-f0-9]{16}$"},
    "eventId": {"type": "string", "pattern": "^evt_[a-f0-9]{16}$",
                "description": "Sent as X-Webhook-Id and webhook-id: the same on every try"},
    "eventType": {"type": "string"},
    "status": {"enum": ["pending", "delivered", "failed"]},
    "payload": {"type": "object", "description": "The body sent: {id, type, data, timestamp, version}"},
    "nextAttemptAt": {"type": "string", "format": "date-time"},
    "lastStatusCode": {"type": "integer"},
    "lastError": {"type": "string"},
    "createdAt": {"type": "string", "format": "date-time"},
    "completedAt": {"type": "string", "format": "date-time"},
    "attempts": {"type": "array", "items": {"type": "object",
      "required": ["number", "startedAt", "durationMs"],
      "properties": {"number": {"type": "integer", "minimum": 1},
                     "startedAt": {"type": "string", "format": "date-time"},
                     "durationMs": {"type": "integer", "minimum": 0},
                     "statusCode": {"type": "integer"},
                     "error": {"type": "string"}}}}}})";

picojson::value EventsJson(const std::string& stored) {
  picojson::array out;
  size_t start = 0;
  while (start < stored.size()) {
    size_t end = stored.find(' ', start);
    if (end == std::string::npos) end = stored.size();
    out.emplace_back(stored.substr(start, end - start));
    start = end + 1;
  }
  return picojson::value(out);
}

picojson::object WebhookJson(const store::WebhookRow& w) {
  picojson::object o;
  o["id"] = picojson::value(w.id);
  o["url"] = picojson::value(w.url);
  o["events"] = EventsJson(w.events);
  o["createdAt"] = TimeJson(w.created_at);
  return o;
}

picojson::value DeliveryJson(const events::DeliveryWithAttempts& item) {
  const store::DeliveryRow& d = item.delivery;
  picojson::object o;
  o["id"] = picojson::value(d.id);
  o["webhookId"] = picojson::value(d.webhook_id);
  o["eventId"] = picojson::value(d.event_id);
  o["eventType"] = picojson::value(d.event_type);
  o["status"] = picojson::value(d.status);
  if (Result<picojson::object> p = json::ParseObject(d.payload); p.ok()) {
    o["payload"] = picojson::value(*p);
  }
  if (d.status == "pending" && d.next_attempt_at > 0) {
    o["nextAttemptAt"] = TimeJson(d.next_attempt_at / 1000);
  }
  if (d.last_status > 0) o["lastStatusCode"] = picojson::value(d.last_status);
  if (!d.last_error.empty()) o["lastError"] = picojson::value(d.last_error);
  o["createdAt"] = TimeJson(d.created_at);
  if (d.completed_at > 0) o["completedAt"] = TimeJson(d.completed_at);
  picojson::array attempts;
  for (const store::AttemptRow& a : item.attempts) {
    picojson::object t;
    t["number"] = picojson::value(a.attempt);
    t["startedAt"] = TimeJson(a.started_at_ms / 1000);
    t["durationMs"] = picojson::value(a.duration_ms);
    if (a.status > 0) t["statusCode"] = picojson::value(a.status);
    if (!a.error.empty()) t["error"] = picojson::value(a.error);
    attempts.emplace_back(t);
  }
  o["attempts"] = picojson::value(attempts);
  return picojson::value(o);
}

// An id from the path; a malformed one is simply not found.
Result<std::string> PathId(const Call& call, const char* name, const char* what) {
  std::string id(call.params.Get(name));
  if (!IsWellFormedId(id)) return Status::NotFound(std::string("No such ") + what);
  return id;
}

Status Create(EventDeps& d, const Call& call, httplib::Response& res) {
  FieldReader f(call.body);
  events::NewWebhook in;
  in.url = f.String("url");
  in.events = f.StringList("events", events::kMaxWebhookEvents);
  if (Status s = f.Finish(); !s.ok()) return s;
  Result<store::WebhookRow> w = d.webhooks->Register(*call.principal, in);
  if (!w.ok()) return w.status();
  picojson::object o = WebhookJson(*w);
  o["secret"] = picojson::value(w->secret);
  WriteValue(res, 201, picojson::value(o));
  return Status::Ok();
}

Status List(EventDeps& d, const Call& call, httplib::Response& res) {
  Result<ListRequest> list = ReadListRequest(call.req, store::WebhookSortColumns(), "-createdAt");
  if (!list.ok()) return list.status();
  store::ListResult result;
  auto rows = d.webhooks->List(*call.principal, list->spec, &result);
  if (!rows.ok()) return rows.status();
  picojson::array items;
  for (const store::WebhookRow& w : *rows) items.emplace_back(WebhookJson(w));
  WriteList(res, std::move(items), *list, result);
  return Status::Ok();
}

Status Get(EventDeps& d, const Call& call, httplib::Response& res) {
  Result<std::string> id = PathId(call, "id", "webhook");
  if (!id.ok()) return id.status();
  Result<store::WebhookRow> w = d.webhooks->Get(*call.principal, *id);
  if (!w.ok()) return w.status();
  WriteValue(res, 200, picojson::value(WebhookJson(*w)));
  return Status::Ok();
}

Status Delete(EventDeps& d, const Call& call, httplib::Response& res) {
  Result<std::string> id = PathId(call, "id", "webhook");
  if (!id.ok()) return id.status();
  if (Status s = d.webhooks->Delete(*call.principal, *id); !s.ok()) return s;
  res.status = 204;
  return Status::Ok();
}

Status Deliveries(EventDeps& d, const Call& call, httplib::Response& res) {
  Result<std::string> id = PathId(call, "id", "webhook");
  if (!id.ok()) return id.status();
  Result<ListRequest> list =
      ReadListRequest(call.req, store::DeliverySortColumns(), "-createdAt");
  if (!list.ok()) return list.status();
  store::ListResult result;
  auto rows = d.webhooks->Deliveries(*call.principal, *id, list->spec, &result);
  if (!rows.ok()) return rows.status();
  picojson::array items;
  for (const events::DeliveryWithAttempts& item : *rows) items.push_back(DeliveryJson(item));
  WriteList(res, std::move(items), *list, result);
  return Status::Ok();
}

Status Redeliver(EventDeps& d, const Call& call, httplib::Response& res) {
  Result<std::string> id = PathId(call, "id", "webhook");
  if (!id.ok()) return id.status();
  Result<std::string> delivery = PathId(call, "deliveryId", "delivery");
  if (!delivery.ok()) return delivery.status();
  Result<store::DeliveryRow> row = d.webhooks->Redeliver(*call.principal, *id, *delivery);
  if (!row.ok()) return row.status();
  WriteValue(res, 202, DeliveryJson({*row, {}}));
  return Status::Ok();
}

std::string EventTypeList() {
  std::string out;
  for (const std::string& t : events::WebhookEventTypes()) out += (out.empty() ? "" : ", ") + t;
  return out;
}

}  // namespace

void RegisterWebhookRoutes(Router& router, EventDeps* deps) {
  const std::vector<std::string> scopes = {"webhooks:manage"};

  Route create = MakeRoute("POST", "/api/v1/webhooks", Bind(deps, Create), "webhooks",
                           "Register a webhook endpoint");
  create.auth = Auth::kUser;
  create.scopes = scopes;
  create.doc.description =
      "Events of the caller are POSTed to url as {id, type, data, timestamp, version: \"1\"}, "
      "signed with the secret returned here and never again (see docs/webhooks.md for how a "
      "receiver verifies them). url: http or https, at most 2048 bytes, no user info or "
      "fragment; its host must resolve only to public addresses (loopback, private, link-local "
      "and other special ranges are refused unless the server runs with "
      "WEBHOOK_ALLOW_PRIVATE=1). Over https the receiver's certificate must chain to a CA of "
      "the server's WEBHOOK_CA_FILE bundle and name the URL's host, or the try fails. events: "
      "1 to 20 of " +
      EventTypeList() + ", or [\"*\"] for all. At most 10 endpoints per account (409).";
  create.doc.request_schema = R"({"type": "object", "required": ["url", "events"],
    "properties": {"url": {"type": "string", "maxLength": 2048},
                   "events": {"type": "array", "minItems": 1, "maxItems": 20,
                              "items": {"type": "string"}}}})";
  create.doc.success_status = 201;
  create.doc.success_description = "Created; the secret is shown only here";
  create.doc.data_schema = kCreatedSchema;
  create.doc.errors = {409, 422, 503};
  router.Add(std::move(create));

  Route list = MakeRoute("GET", "/api/v1/webhooks", Bind(deps, List), "webhooks",
                         "The caller's webhook endpoints");
  list.auth = Auth::kUser;
  list.scopes = scopes;
  list.doc.description =
      std::string("Lists follow API.md §7; sort field createdAt. Secrets are never listed.") +
      kPaginationNote;
  list.doc.query = ListQueryParams(store::WebhookSortColumns());
  list.doc.data_schema = R"({"type": "array", "items": )" + kWebhookSchema + "}";
  list.doc.errors = {400, 503};
  router.Add(std::move(list));

  Route get = MakeRoute("GET", "/api/v1/webhooks/{id}", Bind(deps, Get), "webhooks",
                        "One webhook endpoint");
  get.auth = Auth::kUser;
  get.scopes = scopes;
  get.doc.description = "Another user's endpoint, or a deleted one, is 404.";
  get.doc.data_schema = kWebhookSchema;
  get.doc.errors = {404, 503};
  router.Add(std::move(get));

  Route del = MakeRoute("DELETE", "/api/v1/webhooks/{id}", Bind(deps, Delete), "webhooks",
                        "Delete a webhook endpoint");
  del.auth = Auth::kUser;
  del.scopes = scopes;
  del.doc.description =
      "Nothing more is sent to it: its pending deliveries are failed (\"webhook deleted\"). "
      "Another user's endpoint is 404.";
  del.doc.success_status = 204;
  del.doc.success_description = "Deleted";
  del.doc.errors = {404, 503};
  router.Add(std::move(del));

  Route deliveries =
      MakeRoute("GET", "/api/v1/webhooks/{id}/deliveries", Bind(deps, Deliveries), "webhooks",
                "Deliveries to an endpoint, with every try");
  deliveries.auth = Auth::kUser;
  deliveries.scopes = scopes;
  deliveries.doc.description =
      std::string(
          "Each delivery with its status (pending, delivered, failed), its body and each try: "
          "when, how long, the HTTP status or why there was none. A try succeeds on any 2xx; "
          "otherwise it is retried 5 times, after about 1 min, 5 min, 25 min, 2 h and 10 h "
          "(±20 %), then failed; a delivery not made within 24 h is failed. Sort field "
          "createdAt.") +
      kPaginationNote;
  deliveries.doc.query = ListQueryParams(store::DeliverySortColumns());
  deliveries.doc.data_schema = std::string(R"({"type": "array", "items": )") + kDeliverySchema + "}";
  deliveries.doc.errors = {400, 404, 503};
  router.Add(std::move(deliveries));

  Route redeliver = MakeRoute("POST", "/api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver",
                              Bind(deps, Redeliver), "webhooks", "Send a delivery again");
  redeliver.auth = Auth::kUser;
  redeliver.scopes = scopes;
  redeliver.doc.description =
      "A new delivery of the same event and body (the same eventId, so receivers can tell it "
      "is a repeat), due at once. 409 while the original is still pending.";
  redeliver.doc.success_status = 202;
  redeliver.doc.success_description = "Accepted: queued for delivery";
  redeliver.doc.data_schema = kDeliverySchema;
  redeliver.doc.errors = {404, 409, 503};
  router.Add(std::move(redeliver));
}

}  // namespace cairn::http
