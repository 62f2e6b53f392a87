// /api/v1/merchants: register as a merchant, the dashboard, the QR value,
// and the payments received (payers anonymised).

#include "http/envelope.h"
#include "http/fields.h"
#include "http/handlers_payments.h"
#include "http/lists.h"
#include "http/user_json.h"
#include "payments/merchants.h"
#include "payments/money.h"

namespace cairn::http {

namespace {

using payments::AmountToJson;

constexpr char kMerchantSchema[] = R"({"type": "object",
  "required": ["id", "businessName", "orgNumber", "qrValue", "createdAt"],
  "properties": {
    "id": {"type": "string", "pattern": "^mer_[a-f0-9]{16}$"},
    "businessName": {"type": "string"}, "orgNumber": {"type": "string"},
    "address": {"type": "string"}, "qrValue": {"type": "string"},
    "createdAt": {"type": "string", "format": "date-time"}}})";

picojson::value MerchantJson(const store::MerchantRow& m) {
  picojson::object o;
  o["id"] = picojson::value(m.id);
  o["businessName"] = picojson::value(m.business_name);
  o["orgNumber"] = picojson::value(m.org_number);
  if (!m.address.empty()) o["address"] = picojson::value(m.address);
  o["qrValue"] = picojson::value(payments::QrValue(m.id));
  o["createdAt"] = TimeJson(m.created_at);
  return picojson::value(o);
}

// "Ada L.": the first name and the last name's first letter (a whole UTF-8
// character), so a merchant can greet a regular without learning who they are.
std::string Anonymised(const std::string& first, const std::string& last) {
  if (first.empty()) return "Former customer";
  if (last.empty()) return first;
  size_t n = 1;
  while (n < last.size() && (static_cast<unsigned char>(last[n]) & 0xC0) == 0x80) ++n;
  return first + " " + last.substr(0, n) + ".";
}

Status Register(PaymentDeps& d, const Call& call, httplib::Response& res) {
  FieldReader f(call.body);
  payments::NewMerchant in;
  in.business_name = f.String("businessName");
  in.org_number = f.String("orgNumber");
  in.address = f.OptionalString("address");
  in.bank_account = f.String("bankAccount");
  if (Status s = f.Finish(); !s.ok()) return s;
  Result<store::MerchantRow> m = d.merchants->Register(*call.principal, in);
  if (!m.ok()) return m.status();
  WriteValue(res, 201, MerchantJson(*m));
  return Status::Ok();
}

Status Dashboard(PaymentDeps& d, const Call& call, httplib::Response& res) {
  Result<payments::Dashboard> dash =
      d.merchants->Summarize(*call.principal, call.req.get_param_value("period"));
  if (!dash.ok()) return dash.status();
  picojson::object o;
  o["period"] = picojson::value(dash->period);
  o["since"] = TimeJson(dash->since);
  o["revenue"] = AmountToJson(dash->totals.revenue);
  o["transactionCount"] = picojson::value(dash->totals.count);
  o["fees"] = AmountToJson(dash->totals.fees);
  o["netRevenue"] = AmountToJson(dash->totals.revenue);
  o["nextPayout"] = AmountToJson(dash->next_payout);
  o["payoutTime"] = TimeJson(dash->next_payout_time);
  WriteValue(res, 200, picojson::value(o));
  return Status::Ok();
}

Status Qr(PaymentDeps& d, const Call& call, httplib::Response& res) {
  Result<store::MerchantRow> m = d.merchants->Mine(*call.principal);
  if (!m.ok()) return m.status();
  picojson::object o;
  o["merchantId"] = picojson::value(m->id);
  o["businessName"] = picojson::value(m->business_name);
  o["qrValue"] = picojson::value(payments::QrValue(m->id));
  if (!m->address.empty()) o["address"] = picojson::value(m->address);
  WriteValue(res, 200, picojson::value(o));
  return Status::Ok();
}

Status Payments(PaymentDeps& d, const Call& call, httplib::Response& res) {
  Result<ListRequest> list =
      ReadListRequest(call.req, store::MerchantPaymentSortColumns(), "-createdAt");
  if (!list.ok()) return list.status();
  store::ListResult result;
  auto rows = d.merchants->Payments(*call.principal, list->spec, &result);
  if (!rows.ok()) return rows.status();
  picojson::array items;
  for (const store::MerchantPaymentRow& r : *rows) {
    picojson::object o;
    o["id"] = picojson::value(r.id);
    o["status"] = picojson::value(r.status);
    o["amount"] = AmountToJson(r.amount);
    o["fee"] = AmountToJson(r.fee);
    o["currency"] = picojson::value(r.currency);
    o["customerName"] = picojson::value(Anonymised(r.payer_first_name, r.payer_last_name));
    o["createdAt"] = TimeJson(r.created_at);
    items.emplace_back(std::move(o));
  }
  WriteList(res, std::move(items), *list, result);
  return Status::Ok();
}

}  // namespace

void RegisterMerchantRoutes(Router& router, PaymentDeps* deps) {
  Route reg = MakeRoute("POST", "/api/v1/merchants/register", Bind(deps, Register), "merchants",
                        "Register the caller's business; the account becomes a merchant");
  reg.auth = Auth::kUser;
  reg.doc.description =
      "orgNumber: exactly 9 digits, unique (409 if taken). bankAccount: the Norwegian payout "
      "account (11 digits, MOD11). The role changes at once; access tokens carry the role "
      "they were issued with, so refresh (POST /auth/refresh) to act as the merchant. "
      "Payers pay the 1 % fee on top; the merchant receives the full amount.";
  reg.doc.request_schema = R"({"type": "object",
    "required": ["businessName", "orgNumber", "bankAccount"],
    "properties": {"businessName": {"type": "string", "minLength": 1, "maxLength": 100},
                   "orgNumber": {"type": "string", "pattern": "^[0-9]{9}$"},
                   "address": {"type": "string", "maxLength": 300},
                   "bankAccount": {"type": "string"}}})";
  reg.doc.success_status = 201;
  reg.doc.success_description = "Registered";
  reg.doc.data_schema = kMerchantSchema;
  reg.doc.errors = {409, 422, 503};
  router.Add(std::move(reg));

  Route dash = MakeRoute("GET", "/api/v1/merchants/dashboard", Bind(deps, Dashboard),
                         "merchants", "Revenue and payments for a period");
  dash.auth = Auth::kMerchant;
  dash.doc.description =
      "period: today (default, since 00:00 UTC), week (today and the six days before) or "
      "month (this calendar month). Completed payments only. fees: what payers paid on top. nextPayout: "
      "what completed since the last daily payout (09:00 UTC), paid at payoutTime.";
  dash.doc.query = {{"period", R"({"enum": ["today", "week", "month"]})", "", false}};
  dash.doc.data_schema = R"({"type": "object",
    "required": ["period", "since", "revenue", "transactionCount", "fees", "netRevenue",
                 "nextPayout", "payoutTime"],
    "properties": {"period": {"type": "string"}, "since": {"type": "string"},
                   "revenue": {"type": "number"}, "transactionCount": {"type": "integer"},
                   "fees": {"type": "number"}, "netRevenue": {"type": "number"},
                   "nextPayout": {"type": "number"}, "payoutTime": {"type": "string"}}})";
  dash.doc.errors = {404, 422, 503};
  router.Add(std::move(dash));

  Route qr = MakeRoute("GET", "/api/v1/merchants/qr", Bind(deps, Qr), "merchants",
                       "What the merchant's QR code holds");
  qr.auth = Auth::kMerchant;
  qr.doc.data_schema = R"({"type": "object", "required": ["merchantId", "businessName", "qrValue"],
    "properties": {"merchantId": {"type": "string"}, "businessName": {"type": "string"},
                   "qrValue": {"type": "string", "description": "cairn://pay/{merchantId}"},
                   "address": {"type": "string"}}})";
  qr.doc.errors = {404, 503};
  router.Add(std::move(qr));

  Route pays = MakeRoute("GET", "/api/v1/merchants/transactions", Bind(deps, Payments),
                         "merchants", "QR payments received, payers anonymised");
  pays.auth = Auth::kMerchant;
  pays.doc.description = std::string("Lists follow API.md §7; sort fields createdAt, amount. "
                                     "customerName is the payer's first name and last initial.") +
                         kPaginationNote;
  pays.doc.query = ListQueryParams(store::MerchantPaymentSortColumns());
  pays.doc.data_schema = R"({"type": "array", "items": {"type": "object",
    "required": ["id", "status", "amount", "fee", "currency", "customerName", "createdAt"],
    "properties": {"id": {"type": "string"}, "status": {"type": "string"},
                   "amount": {"type": "number"}, "fee": {"type": "number"},
                   "currency": {"const": "NOK"}, "customerName": {"type": "string"},
                   "createdAt": {"type": "string", "format": "date-time"}}}})";
  pays.doc.errors = {404, 503};
  router.Add(std::move(pays));
}

}  // namespace cairn::http
