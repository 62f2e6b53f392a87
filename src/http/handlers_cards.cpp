// /api/v1/cards, behind FEATURE_CARDS: registered only when the feature is
// on (server.cpp), so while it is off they are routes that do not exist.

#include "http/envelope.h"
#include "http/fields.h"
#include "http/handlers_payments.h"
#include "http/user_json.h"
#include "payments/cards.h"
#include "payments/money.h"

namespace cairn::http {

namespace {

constexpr char kCardSchema[] = R"({"type": "object",
  "required": ["id", "type", "status", "maskedNumber", "expiryMonth", "expiryYear", "hasPin",
               "createdAt", "updatedAt"],
  "properties": {
    "id": {"type": "string", "pattern": "^card_[a-f0-9]{16}$"},
    "type": {"enum": ["virtual", "physical"]},
    "status": {"enum": ["active", "frozen", "cancelled"]},
    "maskedNumber": {"type": "string", "description": "**** **** **** 1234; never the full number or the CVV"},
    "expiryMonth": {"type": "integer"}, "expiryYear": {"type": "integer"},
    "hasPin": {"type": "boolean"}, "shippingAddress": {"type": "string"},
    "createdAt": {"type": "string", "format": "date-time"},
    "updatedAt": {"type": "string", "format": "date-time"}}})";

constexpr char kLimitSchema[] = R"({"type": "object", "required": ["limitType", "amount"],
  "properties": {"limitType": {"enum": ["daily", "weekly", "monthly", "transaction"]},
                 "amount": {"type": "number"},
                 "updatedAt": {"type": "string", "format": "date-time"}}})";

picojson::value CardJson(const store::CardRow& c) {
  picojson::object o;
  o["id"] = picojson::value(c.id);
  o["type"] = picojson::value(c.type);
  o["status"] = picojson::value(c.status);
  o["maskedNumber"] = picojson::value("**** **** **** " + c.last4);
  o["expiryMonth"] = picojson::value(static_cast<int64_t>(c.expiry_month));
  o["expiryYear"] = picojson::value(static_cast<int64_t>(c.expiry_year));
  o["hasPin"] = picojson::value(c.has_pin);
  if (!c.shipping_address.empty()) o["shippingAddress"] = picojson::value(c.shipping_address);
  o["createdAt"] = TimeJson(c.created_at);
  o["updatedAt"] = TimeJson(c.updated_at);
  return picojson::value(o);
}

picojson::value LimitJson(const store::CardLimitRow& l) {
  picojson::object o;
  o["limitType"] = picojson::value(l.limit_type);
  o["amount"] = payments::AmountToJson(l.amount);
  o["updatedAt"] = TimeJson(l.updated_at);
  return picojson::value(o);
}

std::string Id(const Call& call) { return std::string(call.params.Get("id")); }

Status Reply(const Result<store::CardRow>& c, int status, httplib::Response& res) {
  if (!c.ok()) return c.status();
  WriteValue(res, status, CardJson(*c));
  return Status::Ok();
}

Status List(PaymentDeps& d, const Call& call, httplib::Response& res) {
  auto rows = d.cards->List(*call.principal);
  if (!rows.ok()) return rows.status();
  picojson::array items;
  for (const store::CardRow& c : *rows) items.push_back(CardJson(c));
  WriteValue(res, 200, picojson::value(items));
  return Status::Ok();
}

Status Issue(PaymentDeps& d, const Call& call, httplib::Response& res) {
  FieldReader f(call.body);
  std::string type = f.OptionalString("type", "virtual");
  if (Status s = f.Finish(); !s.ok()) return s;
  return Reply(d.cards->Issue(*call.principal, type), 201, res);
}

Status Get(PaymentDeps& d, const Call& call, httplib::Response& res) {
  return Reply(d.cards->Get(*call.principal, Id(call)), 200, res);
}

Status Patch(PaymentDeps& d, const Call& call, httplib::Response& res) {
  FieldReader f(call.body);
  std::string status = f.String("status");
  if (Status s = f.Finish(); !s.ok()) return s;
  return Reply(d.cards->SetStatus(*call.principal, Id(call), status), 200, res);
}

Status Cancel(PaymentDeps& d, const Call& call, httplib::Response& res) {
  if (Status s = d.cards->Cancel(*call.principal, Id(call)); !s.ok()) return s;
  res.status = 204;
  return Status::Ok();
}

Status Physical(PaymentDeps& d, const Call& call, httplib::Response& res) {
  FieldReader f(call.body);
  std::string address = f.String("address");
  if (Status s = f.Finish(); !s.ok()) return s;
  return Reply(d.cards->OrderPhysical(*call.principal, Id(call), address), 200, res);
}

Status Pin(PaymentDeps& d, const Call& call, httplib::Response& res) {
  FieldReader f(call.body);
  std::string pin = f.String("pin");
  if (Status s = f.Finish(); !s.ok()) return s;
  if (Status s = d.cards->SetPin(*call.principal, Id(call), pin); !s.ok()) return s;
  res.status = 204;
  return Status::Ok();
}

Status GetLimits(PaymentDeps& d, const Call& call, httplib::Response& res) {
  auto rows = d.cards->Limits(*call.principal, Id(call));
  if (!rows.ok()) return rows.status();
  picojson::array items;
  for (const store::CardLimitRow& l : *rows) items.push_back(LimitJson(l));
  WriteValue(res, 200, picojson::value(items));
  return Status::Ok();
}

Status PutLimit(PaymentDeps& d, const Call& call, httplib::Response& res) {
  FieldReader f(call.body);
  std::string type = f.String("limitType");
  int64_t amount = f.Amount("amount", true);
  if (Status s = f.Finish(); !s.ok()) return s;
  auto l = d.cards->SetLimit(*call.principal, Id(call), type, amount);
  if (!l.ok()) return l.status();
  WriteValue(res, 200, LimitJson(*l));
  return Status::Ok();
}

using CardHandler = Status (*)(PaymentDeps&, const Call&, httplib::Response&);

Route CardRoute(PaymentDeps* deps, const char* method, const char* path, CardHandler fn,
                const char* summary) {
  Route r = MakeRoute(method, path, Bind(deps, fn), "cards", summary);
  r.auth = Auth::kUser;
  r.doc.description = "Served only with FEATURE_CARDS=1; without it the route does not exist.";
  r.doc.errors = {404, 503};
  return r;
}

}  // namespace

void RegisterCardRoutes(Router& router, PaymentDeps* deps) {
  Route list = CardRoute(deps, "GET", "/api/v1/cards", List, "The caller's cards, cancelled ones left out");
  list.doc.data_schema = std::string(R"({"type": "array", "items": )") + kCardSchema + "}";
  router.Add(std::move(list));

  Route issue = CardRoute(deps, "POST", "/api/v1/cards", Issue, "Issue a card");
  issue.doc.description += " At most 5 cards that are not cancelled (409).";
  issue.doc.request_schema = R"({"type": "object",
    "properties": {"type": {"enum": ["virtual", "physical"], "default": "virtual"}}})";
  issue.doc.success_status = 201;
  issue.doc.success_description = "Issued";
  issue.doc.data_schema = kCardSchema;
  issue.doc.errors = {404, 409, 422, 503};
  router.Add(std::move(issue));

  Route get = CardRoute(deps, "GET", "/api/v1/cards/{id}", Get, "One card");
  get.doc.data_schema = kCardSchema;
  router.Add(std::move(get));

  Route patch = CardRoute(deps, "PATCH", "/api/v1/cards/{id}", Patch, "Freeze or unfreeze a card");
  patch.doc.request_schema = R"({"type": "object", "required": ["status"],
    "properties": {"status": {"enum": ["active", "frozen"]}}})";
  patch.doc.data_schema = kCardSchema;
  patch.doc.errors = {404, 409, 422, 503};
  router.Add(std::move(patch));

  Route cancel = CardRoute(deps, "DELETE", "/api/v1/cards/{id}", Cancel, "Cancel a card, for good");
  cancel.doc.success_status = 204;
  cancel.doc.success_description = "Cancelled";
  cancel.doc.errors = {404, 409, 503};
  router.Add(std::move(cancel));

  Route physical = CardRoute(deps, "POST", "/api/v1/cards/{id}/physical", Physical,
                             "Order a virtual card in plastic");
  physical.doc.request_schema = R"({"type": "object", "required": ["address"],
    "properties": {"address": {"type": "string", "minLength": 10, "maxLength": 300}}})";
  physical.doc.data_schema = kCardSchema;
  physical.doc.errors = {404, 409, 422, 503};
  router.Add(std::move(physical));

  Route pin = CardRoute(deps, "POST", "/api/v1/cards/{id}/pin", Pin, "Set a card's PIN");
  pin.doc.description += " Exactly 4 digits; stored only as an Argon2id hash.";
  pin.doc.request_schema = R"({"type": "object", "required": ["pin"],
    "properties": {"pin": {"type": "string", "pattern": "^[0-9]{4}$"}}})";
  pin.doc.success_status = 204;
  pin.doc.success_description = "Set";
  pin.doc.errors = {404, 409, 422, 503};
  router.Add(std::move(pin));

  Route limits = CardRoute(deps, "GET", "/api/v1/cards/{id}/limits", GetLimits,
                           "A card's spending limits");
  limits.doc.data_schema = std::string(R"({"type": "array", "items": )") + kLimitSchema + "}";
  router.Add(std::move(limits));

  Route put = CardRoute(deps, "PUT", "/api/v1/cards/{id}/limits", PutLimit,
                        "Set one spending limit, replacing that type's");
  put.doc.request_schema = R"({"type": "object", "required": ["limitType", "amount"],
    "properties": {"limitType": {"enum": ["daily", "weekly", "monthly", "transaction"]},
                   "amount": {"type": "number", "exclusiveMinimum": 0, "multipleOf": 0.01}}})";
  put.doc.data_schema = kLimitSchema;
  put.doc.errors = {404, 409, 422, 503};
  router.Add(std::move(put));
}

}  // namespace cairn::http
