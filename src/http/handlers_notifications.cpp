// /api/v1/notifications (list, mark read) and /api/v1/settings (read,
// change).

#include "http/envelope.h"
#include "http/fields.h"
#include "http/handlers_payments.h"
#include "http/lists.h"
#include "http/user_json.h"
#include "payments/notifications.h"

namespace cairn::http {

namespace {

constexpr char kSettingsSchema[] = R"({"type": "object",
  "required": ["currency", "language", "pushEnabled", "emailEnabled"],
  "properties": {
    "currency": {"enum": ["EUR", "USD", "GBP", "BAM", "CHF", "PLN", "NOK", "RSD", "TRY", "PKR"]},
    "language": {"enum": ["nb", "en", "bs", "sq"]},
    "pushEnabled": {"type": "boolean", "description": "Off: no in-app notifications"},
    "emailEnabled": {"type": "boolean"},
    "updatedAt": {"type": ["string", "null"], "format": "date-time"}}})";

picojson::value SettingsJson(const store::SettingsRow& s) {
  picojson::object o;
  o["currency"] = picojson::value(s.currency);
  o["language"] = picojson::value(s.language);
  o["pushEnabled"] = picojson::value(s.push_enabled);
  o["emailEnabled"] = picojson::value(s.email_enabled);
  o["updatedAt"] = s.updated_at != 0 ? TimeJson(s.updated_at) : picojson::value();
  return picojson::value(o);
}

Status List(PaymentDeps& d, const Call& call, httplib::Response& res) {
  std::string unread = call.req.get_param_value("unread");
  if (!unread.empty() && unread != "true" && unread != "false") {
    return Status::InvalidArgument("Invalid query parameter unread: true or false");
  }
  Result<ListRequest> list =
      ReadListRequest(call.req, store::NotificationSortColumns(), "-createdAt");
  if (!list.ok()) return list.status();
  store::ListResult result;
  auto rows = d.notifications->List(*call.principal, unread == "true", list->spec, &result);
  if (!rows.ok()) return rows.status();
  picojson::array items;
  for (const store::NotificationRow& n : *rows) {
    picojson::object o;
    o["id"] = picojson::value(n.id);
    o["type"] = picojson::value(n.type);
    o["title"] = picojson::value(n.title);
    o["body"] = picojson::value(n.body);
    o["read"] = picojson::value(n.read_at != 0);
    o["readAt"] = n.read_at != 0 ? TimeJson(n.read_at) : picojson::value();
    if (!n.event_id.empty()) o["eventId"] = picojson::value(n.event_id);
    o["createdAt"] = TimeJson(n.created_at);
    items.emplace_back(std::move(o));
  }
  WriteList(res, std::move(items), *list, result);
  return Status::Ok();
}

Status MarkRead(PaymentDeps& d, const Call& call, httplib::Response& res) {
  auto it = call.body.find("notificationIds");
  if (it == call.body.end() || !it->second.is<picojson::array>()) {
    return Status::Validation("Request validation failed",
                              {{"notificationIds", "notificationIds must be an array of ids",
                                "required"}});
  }
  std::vector<std::string> ids;
  for (const picojson::value& v : it->second.get<picojson::array>()) {
    if (!v.is<std::string>()) {
      return Status::Validation("Request validation failed",
                                {{"notificationIds", "Every id must be a string", "invalid_type"}});
    }
    ids.push_back(v.get<std::string>());
  }
  Result<int64_t> n = d.notifications->MarkRead(*call.principal, ids);
  if (!n.ok()) return n.status();
  picojson::object o;
  o["updated"] = picojson::value(*n);
  WriteValue(res, 200, picojson::value(o));
  return Status::Ok();
}

Status GetSettings(PaymentDeps& d, const Call& call, httplib::Response& res) {
  Result<store::SettingsRow> s = d.notifications->Settings(*call.principal);
  if (!s.ok()) return s.status();
  WriteValue(res, 200, SettingsJson(*s));
  return Status::Ok();
}

Status PatchSettings(PaymentDeps& d, const Call& call, httplib::Response& res) {
  FieldReader f(call.body);
  payments::SettingsPatch p;
  if (f.Has("currency")) p.currency = f.String("currency");
  if (f.Has("language")) p.language = f.String("language");
  if (f.Has("pushEnabled")) p.push_enabled = f.Bool("pushEnabled", true);
  if (f.Has("emailEnabled")) p.email_enabled = f.Bool("emailEnabled", true);
  if (Status s = f.Finish(); !s.ok()) return s;
  Result<store::SettingsRow> s = d.notifications->UpdateSettings(*call.principal, p);
  if (!s.ok()) return s.status();
  WriteValue(res, 200, SettingsJson(*s));
  return Status::Ok();
}

}  // namespace

void RegisterNotificationRoutes(Router& router, PaymentDeps* deps) {
  Route list = MakeRoute("GET", "/api/v1/notifications", Bind(deps, List), "notifications",
                         "The caller's notifications, newest first");
  list.auth = Auth::kUser;
  list.doc.description =
      "Made from the caller's events (transfers started, completed, failed; payments; "
      "recipients; accounts linked) while pushEnabled is on. unread=true lists only unread "
      "ones. Lists follow API.md §7." + std::string(kPaginationNote);
  list.doc.query = ListQueryParams(store::NotificationSortColumns());
  list.doc.query.push_back({"unread", R"({"type": "boolean"})", "only unread ones", false});
  list.doc.data_schema = R"({"type": "array", "items": {"type": "object",
    "required": ["id", "type", "title", "body", "read", "createdAt"],
    "properties": {"id": {"type": "string", "pattern": "^noti_[a-f0-9]{16}$"},
                   "type": {"type": "string"}, "title": {"type": "string"},
                   "body": {"type": "string"}, "read": {"type": "boolean"},
                   "readAt": {"type": ["string", "null"]}, "eventId": {"type": "string"},
                   "createdAt": {"type": "string", "format": "date-time"}}}})";
  list.doc.errors = {400, 503};
  router.Add(std::move(list));

  Route mark = MakeRoute("PATCH", "/api/v1/notifications", Bind(deps, MarkRead),
                         "notifications", "Mark notifications read");
  mark.auth = Auth::kUser;
  mark.doc.description =
      "1 to 100 ids, each shaped ^[a-z]+_[a-f0-9]{16}$ (else 422). Ids that are not the "
      "caller's, or already read, are left alone; updated says how many changed.";
  mark.doc.request_schema = R"({"type": "object", "required": ["notificationIds"],
    "properties": {"notificationIds": {"type": "array", "minItems": 1, "maxItems": 100,
                   "items": {"type": "string", "pattern": "^[a-z]+_[a-f0-9]{16}$"}}}})";
  mark.doc.data_schema = R"({"type": "object", "required": ["updated"],
    "properties": {"updated": {"type": "integer"}}})";
  mark.doc.errors = {422, 503};
  router.Add(std::move(mark));

  Route get = MakeRoute("GET", "/api/v1/settings", Bind(deps, GetSettings), "settings",
                        "The caller's settings (defaults until changed)");
  get.auth = Auth::kUser;
  get.scopes = {"profile:read"};
  get.doc.description = "Defaults: NOK, nb, pushEnabled and emailEnabled true.";
  get.doc.data_schema = kSettingsSchema;
  get.doc.errors = {503};
  router.Add(std::move(get));

  Route patch = MakeRoute("PATCH", "/api/v1/settings", Bind(deps, PatchSettings), "settings",
                          "Change settings");
  patch.auth = Auth::kUser;
  patch.doc.description = "Any subset of the fields; values outside the whitelists are 422.";
  patch.doc.request_schema = R"({"type": "object",
    "properties": {"currency": {"enum": ["EUR", "USD", "GBP", "BAM", "CHF", "PLN", "NOK", "RSD",
                                         "TRY", "PKR"]},
                   "language": {"enum": ["nb", "en", "bs", "sq"]},
                   "pushEnabled": {"type": "boolean"}, "emailEnabled": {"type": "boolean"}}})";
  patch.doc.data_schema = kSettingsSchema;
  patch.doc.errors = {422, 503};
  router.Add(std::move(patch));
}

}  // namespace cairn::http
