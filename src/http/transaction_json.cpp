#include "http/transaction_json.h"

#include <chrono>

#include "http/user_json.h"
#include "payments/money.h"
#include "payments/rates.h"
#include "util/clock.h"
#include "util/json.h"

namespace cairn::http {

namespace {

using payments::AmountToJson;

picojson::value Str(const std::string& s) { return picojson::value(s); }

picojson::value Percent(int64_t basis_points) {
  return basis_points % 100 == 0 ? picojson::value(basis_points / 100)
                                 : picojson::value(static_cast<double>(basis_points) / 100.0);
}

int64_t FeeBasisPoints(const store::TransactionRow& t) {
  return t.type == "remittance" ? payments::kRemittanceFeeBp : payments::kQrFeeBp;
}

std::string CountryName(const std::string& code) {
  const payments::Corridor* c = payments::FindCorridor(code);
  return c != nullptr ? std::string(c->name) : code;
}

picojson::value TimeOrNull(int64_t t) { return t != 0 ? TimeJson(t) : picojson::value(); }

}  // namespace

const char kTransactionItemSchema[] = R"({"type": "object",
  "required": ["id", "type", "status", "amount", "currency", "fee", "total", "createdAt",
               "updatedAt"],
  "properties": {
    "id": {"type": "string"}, "type": {"enum": ["remittance", "qr_payment"]},
    "status": {"enum": ["processing", "completed", "failed"]},
    "amount": {"type": "number", "description": "Negative: money going out"},
    "currency": {"const": "NOK"}, "fee": {"type": "number"}, "total": {"type": "number"},
    "recipientName": {"type": "string"}, "merchantName": {"type": "string"},
    "createdAt": {"type": "string", "format": "date-time"},
    "updatedAt": {"type": "string", "format": "date-time"}}})";

const char kTransactionSchema[] = R"({"type": "object",
  "required": ["id", "type", "status", "fee", "feePercent", "total", "fromAccount", "eta",
               "createdAt"],
  "properties": {
    "id": {"type": "string"}, "type": {"enum": ["remittance", "qr_payment"]},
    "status": {"enum": ["processing", "completed", "failed"]},
    "sendAmount": {"type": "number"}, "sendCurrency": {"const": "NOK"},
    "receiveAmount": {"type": "number"}, "receiveCurrency": {"type": "string"},
    "exchangeRate": {"type": "number"},
    "recipientId": {"type": "string"}, "recipientName": {"type": "string"},
    "recipientCountry": {"type": "string"},
    "amount": {"type": "number"}, "currency": {"const": "NOK"},
    "merchantId": {"type": "string"}, "merchantName": {"type": "string"},
    "fee": {"type": "number"}, "feePercent": {"type": "number"}, "total": {"type": "number"},
    "fromAccount": {"type": "string", "description": "The paying account's bank"},
    "eta": {"type": "string"}, "failureReason": {"type": "string"},
    "createdAt": {"type": "string", "format": "date-time"},
    "completedAt": {"type": ["string", "null"], "format": "date-time"}}})";

const char kReceiptSchema[] = R"({"type": "object",
  "required": ["transactionId", "date", "type", "amount", "currency", "fee", "reference",
               "status"],
  "properties": {
    "transactionId": {"type": "string"}, "date": {"type": "string", "format": "date-time"},
    "type": {"enum": ["remittance", "qr_payment"]}, "amount": {"type": "number"},
    "currency": {"const": "NOK"}, "fee": {"type": "number"}, "total": {"type": "number"},
    "exchangeRate": {"type": "number"}, "receiveAmount": {"type": "number"},
    "receiveCurrency": {"type": "string"},
    "recipient": {"type": "object", "properties": {"name": {"type": "string"},
                                                   "country": {"type": "string"}}},
    "merchant": {"type": "object", "properties": {"id": {"type": "string"},
                                                  "name": {"type": "string"}}},
    "reference": {"type": "string"}, "status": {"type": "string"},
    "estimatedCompletion": {"type": ["string", "null"]},
    "completedAt": {"type": ["string", "null"], "format": "date-time"}}})";

const char kQuoteSchema[] = R"({"type": "object",
  "required": ["type", "amount", "fee", "feePercentage", "totalCost", "estimatedDelivery"],
  "properties": {
    "type": {"enum": ["remittance", "qr_payment"]}, "amount": {"type": "number"},
    "fee": {"type": "number"}, "feePercentage": {"type": "number"},
    "exchangeRate": {"type": "number"}, "receiveAmount": {"type": "number"},
    "receiveCurrency": {"type": "string"}, "estimatedDelivery": {"type": "string"},
    "totalCost": {"type": "number"}}})";

std::string SummarySchema() {
  const std::string totals = R"({"type": "object",
    "required": ["totalCount", "totalSent", "totalPaid", "remittanceCount", "qrPaymentCount"],
    "properties": {"totalCount": {"type": "integer"}, "totalSent": {"type": "number"},
                   "totalPaid": {"type": "number"}, "remittanceCount": {"type": "integer"},
                   "qrPaymentCount": {"type": "integer"}}})";
  return R"({"type": "object", "required": ["allTime", "thisMonth"],
    "description": "Transactions that did not fail: counts, sent by remittance, paid by QR",
    "properties": {"allTime": )" +
         totals + R"(, "thisMonth": )" + totals + "}}";
}

void AppendTransactionItem(std::string& out, const store::TransactionRow& t) {
  // Keys in sorted order, as every other answer (picojson objects) has them.
  out += "{\"amount\":";
  json::Append(out, AmountToJson(-t.amount));
  out += ",\"createdAt\":";
  json::AppendString(out, FormatIso8601(TimePoint(std::chrono::seconds(t.created_at))));
  out += ",\"currency\":";
  json::AppendString(out, t.currency);
  out += ",\"fee\":";
  json::Append(out, AmountToJson(t.fee));
  out += ",\"id\":";
  json::AppendString(out, t.id);
  if (!t.merchant_name.empty()) {
    out += ",\"merchantName\":";
    json::AppendString(out, t.merchant_name);
  }
  if (!t.recipient_name.empty()) {
    out += ",\"recipientName\":";
    json::AppendString(out, t.recipient_name);
  }
  out += ",\"status\":";
  json::AppendString(out, t.status);
  out += ",\"total\":";
  json::Append(out, AmountToJson(t.total));
  out += ",\"type\":";
  json::AppendString(out, t.type);
  out += ",\"updatedAt\":";
  json::AppendString(out, FormatIso8601(TimePoint(std::chrono::seconds(t.updated_at))));
  out.push_back('}');
}

picojson::value TransactionJson(const store::TransactionRow& t) {
  picojson::object o;
  o["id"] = Str(t.id);
  o["type"] = Str(t.type);
  o["status"] = Str(t.status);
  if (t.type == "remittance") {
    o["sendAmount"] = AmountToJson(t.amount);
    o["sendCurrency"] = Str(t.currency);
    o["receiveAmount"] = AmountToJson(t.receive_amount);
    o["receiveCurrency"] = Str(t.receive_currency);
    o["exchangeRate"] = picojson::value(payments::RateAsNumber(t.rate_micro));
    o["recipientId"] = Str(t.recipient_id);
    o["recipientName"] = Str(t.recipient_name);
    o["recipientCountry"] = Str(CountryName(t.recipient_country));
  } else {
    o["amount"] = AmountToJson(t.amount);
    o["currency"] = Str(t.currency);
    o["merchantId"] = Str(t.merchant_id);
    o["merchantName"] = Str(t.merchant_name);
  }
  o["fee"] = AmountToJson(t.fee);
  o["feePercent"] = Percent(FeeBasisPoints(t));
  o["total"] = AmountToJson(t.total);
  o["fromAccount"] = Str(t.bank_name);
  o["eta"] = Str(payments::DeliveryEstimate(t));
  if (!t.failure.empty()) o["failureReason"] = Str(t.failure);
  o["createdAt"] = TimeJson(t.created_at);
  o["completedAt"] = TimeOrNull(t.completed_at);
  return picojson::value(o);
}

picojson::value ReceiptJson(const store::TransactionRow& t) {
  picojson::object o;
  o["transactionId"] = Str(t.id);
  o["date"] = TimeJson(t.created_at);
  o["type"] = Str(t.type);
  o["amount"] = AmountToJson(t.amount);
  o["currency"] = Str(t.currency);
  o["fee"] = AmountToJson(t.fee);
  o["total"] = AmountToJson(t.total);
  if (t.type == "remittance") {
    o["exchangeRate"] = picojson::value(payments::RateAsNumber(t.rate_micro));
    o["receiveAmount"] = AmountToJson(t.receive_amount);
    o["receiveCurrency"] = Str(t.receive_currency);
    picojson::object r;
    r["name"] = Str(t.recipient_name);
    r["country"] = Str(t.recipient_country);
    o["recipient"] = picojson::value(r);
  } else {
    picojson::object m;
    m["id"] = Str(t.merchant_id);
    m["name"] = Str(t.merchant_name);
    o["merchant"] = picojson::value(m);
  }
  o["reference"] = Str(t.id);
  o["status"] = Str(t.status);
  o["estimatedCompletion"] =
      t.status == "processing" ? Str(payments::DeliveryEstimate(t)) : picojson::value();
  o["completedAt"] = TimeOrNull(t.completed_at);
  return picojson::value(o);
}

picojson::value QuoteJson(const payments::Quote& q) {
  picojson::object o;
  o["type"] = Str(q.type);
  o["amount"] = AmountToJson(q.amount);
  o["fee"] = AmountToJson(q.fee);
  o["feePercentage"] = Percent(q.fee_bp);
  if (q.type == "remittance") {
    o["exchangeRate"] = picojson::value(payments::RateAsNumber(q.rate_micro));
    o["receiveAmount"] = AmountToJson(q.receive_amount);
    o["receiveCurrency"] = Str(q.receive_currency);
  }
  o["estimatedDelivery"] = Str(q.delivery);
  o["totalCost"] = AmountToJson(q.total);
  return picojson::value(o);
}

picojson::value SummaryJson(const payments::Summary& s) {
  auto totals = [](const store::TransactionTotals& t) {
    picojson::object o;
    o["totalCount"] = picojson::value(t.count);
    o["totalSent"] = AmountToJson(t.sent);
    o["totalPaid"] = AmountToJson(t.paid);
    o["remittanceCount"] = picojson::value(t.remittance_count);
    o["qrPaymentCount"] = picojson::value(t.qr_count);
    return picojson::value(o);
  };
  picojson::object o;
  o["allTime"] = totals(s.all_time);
  o["thisMonth"] = totals(s.this_month);
  return picojson::value(o);
}

}  // namespace cairn::http
