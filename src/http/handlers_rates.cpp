// /api/v1/rates: exchange rates from NOK, public (API.md §9).

#include "http/envelope.h"
#include "http/handlers_payments.h"
#include "http/user_json.h"
#include "payments/rates.h"

namespace cairn::http {

namespace {

// The remittance fee a rate's answer quotes (0.5 %), as a fraction.
constexpr double kRemittanceFee = 0.005;

Status AllRates(PaymentDeps& d, const Call&, httplib::Response& res) {
  picojson::object rates;
  for (const payments::Rate& r : payments::AllRates()) {
    rates[std::string(r.currency)] = picojson::value(payments::RateAsNumber(r.micro));
  }
  picojson::object o;
  o["baseCurrency"] = picojson::value(std::string(payments::kBaseCurrency));
  o["rates"] = picojson::value(rates);
  o["updatedAt"] = TimeJson(d.rates_updated_at);
  WriteValue(res, 200, picojson::value(o));
  return Status::Ok();
}

Status OneRate(PaymentDeps& d, const Call& call, httplib::Response& res) {
  std::string currency(call.params.Get("currency"));
  for (char& c : currency) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const payments::Rate* r = payments::FindRate(currency);
  if (r == nullptr) return Status::NotFound("No rate for currency " + currency.substr(0, 8));
  picojson::object o;
  o["baseCurrency"] = picojson::value(std::string(payments::kBaseCurrency));
  o["currency"] = picojson::value(currency);
  o["rate"] = picojson::value(payments::RateAsNumber(r->micro));
  o["fee"] = picojson::value(kRemittanceFee);
  o["updatedAt"] = TimeJson(d.rates_updated_at);
  WriteValue(res, 200, picojson::value(o));
  return Status::Ok();
}

}  // namespace

void RegisterRateRoutes(Router& router, PaymentDeps* deps) {
  Route all = MakeRoute("GET", "/api/v1/rates", Bind(deps, AllRates), "rates",
                        "Every exchange rate from NOK");
  all.scopes = {"rates:read"};
  all.rate_class = RateClass::kRates;
  all.doc.description =
      "Public. The sandbox's fixed rates (units of each currency per NOK), loaded at start.";
  all.doc.data_schema = R"({"type": "object", "required": ["baseCurrency", "rates", "updatedAt"],
    "properties": {"baseCurrency": {"const": "NOK"},
                   "rates": {"type": "object", "additionalProperties": {"type": "number"}},
                   "updatedAt": {"type": "string", "format": "date-time"}}})";
  router.Add(std::move(all));

  Route one = MakeRoute("GET", "/api/v1/rates/{currency}", Bind(deps, OneRate), "rates",
                        "One exchange rate from NOK, with the remittance fee");
  one.scopes = {"rates:read"};
  one.rate_class = RateClass::kRates;
  one.doc.description = "Public. The currency is ISO 4217 (case-insensitive); unknown is 404.";
  one.doc.data_schema = R"({"type": "object",
    "required": ["baseCurrency", "currency", "rate", "fee", "updatedAt"],
    "properties": {"baseCurrency": {"const": "NOK"}, "currency": {"type": "string"},
                   "rate": {"type": "number"},
                   "fee": {"type": "number", "description": "Remittance fee as a fraction: 0.005 is 0.5 %"},
                   "updatedAt": {"type": "string", "format": "date-time"}}})";
  one.doc.errors = {404};
  router.Add(std::move(one));
}

}  // namespace cairn::http
