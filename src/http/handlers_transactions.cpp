// /api/v1/transactions: remittances and QR payments (idempotent), the
// disclosure before paying, lists with filters, one transaction, its
// receipt, and the summary.

#include "http/envelope.h"
#include "http/fields.h"
#include "http/handlers_payments.h"
#include "http/idempotency.h"
#include "http/lists.h"
#include "http/transaction_json.h"
#include "payments/transactions.h"

namespace cairn::http {

namespace {

// Sends a payment's reply, or its refusal.
Status Reply(const Result<payments::Reply>& reply, httplib::Response& res) {
  if (!reply.ok()) return reply.status();
  WriteReply(res, *reply);
  return Status::Ok();
}

payments::Reply Created(const store::TransactionRow& t) {
  return MakeReply(201, TransactionJson(t));
}

Status Remit(PaymentDeps& d, const Call& call, httplib::Response& res) {
  Result<payments::IdempotencyKey> key = ReadIdempotencyKey(call.req);
  if (!key.ok()) return key.status();
  FieldReader f(call.body);
  payments::RemittanceInput in;
  in.recipient_id = f.String("recipientId");
  in.amount = f.Amount("amount", true);
  in.currency = f.OptionalString("currency", in.currency);
  in.bank_account_id = f.OptionalString("bankAccountId");
  if (Status s = f.Finish(); !s.ok()) return s;
  return Reply(d.transactions->Remit(*call.principal, in, *key, Created), res);
}

Status PayQr(PaymentDeps& d, const Call& call, httplib::Response& res) {
  Result<payments::IdempotencyKey> key = ReadIdempotencyKey(call.req);
  if (!key.ok()) return key.status();
  FieldReader f(call.body);
  payments::QrPaymentInput in;
  in.merchant_id = f.String("merchantId");
  in.amount = f.Amount("amount", true);
  if (Status s = f.Finish(); !s.ok()) return s;
  return Reply(d.transactions->PayQr(*call.principal, in, *key, Created), res);
}

Status Disclose(PaymentDeps& d, const Call& call, httplib::Response& res) {
  FieldReader f(call.body);
  payments::QuoteInput in;
  in.type = f.String("type");
  in.amount = f.Amount("amount", true);
  in.currency = f.OptionalString("currency", in.currency);
  in.recipient_id = f.OptionalString("recipientId");
  if (Status s = f.Finish(); !s.ok()) return s;
  Result<payments::Quote> q = d.transactions->Disclose(*call.principal, in);
  if (!q.ok()) return q.status();
  WriteValue(res, 200, QuoteJson(*q));
  return Status::Ok();
}

Result<store::TransactionFilter> ReadFilter(const httplib::Request& req) {
  store::TransactionFilter f;
  f.type = req.get_param_value("type");
  if (!f.type.empty() && f.type != "remittance" && f.type != "qr_payment") {
    return Status::InvalidArgument("Invalid query parameter type: remittance or qr_payment");
  }
  f.status = req.get_param_value("status");
  if (!f.status.empty() && f.status != "processing" && f.status != "completed" &&
      f.status != "failed") {
    return Status::InvalidArgument(
        "Invalid query parameter status: processing, completed or failed");
  }
  Result<std::string> search = ReadSearch(req);
  if (!search.ok()) return search.status();
  f.search = *search;
  if (Status s = ReadTimeRange(req, "createdAt", &f.created_from, &f.created_to); !s.ok()) {
    return s;
  }
  if (Status s = ReadAmountRange(req, "amount", &f.amount_min, &f.amount_max); !s.ok()) return s;
  return f;
}

Status List(PaymentDeps& d, const Call& call, httplib::Response& res) {
  Result<store::TransactionFilter> filter = ReadFilter(call.req);
  if (!filter.ok()) return filter.status();
  Result<ListRequest> list =
      ReadListRequest(call.req, store::TransactionSortColumns(), "-createdAt");
  if (!list.ok()) return list.status();
  store::ListResult result;
  auto rows = d.transactions->List(*call.principal, *filter, list->spec, &result);
  if (!rows.ok()) return rows.status();
  std::string items = "[";
  items.reserve(256 * rows->size() + 2);
  for (const store::TransactionRow& t : *rows) {
    if (items.size() > 1) items.push_back(',');
    AppendTransactionItem(items, t);
  }
  items.push_back(']');
  WriteListJson(res, std::move(items), *list, result);
  return Status::Ok();
}

Status Get(PaymentDeps& d, const Call& call, httplib::Response& res) {
  Result<store::TransactionRow> t =
      d.transactions->Get(*call.principal, std::string(call.params.Get("id")));
  if (!t.ok()) return t.status();
  WriteValue(res, 200, TransactionJson(*t));
  return Status::Ok();
}

Status Receipt(PaymentDeps& d, const Call& call, httplib::Response& res) {
  Result<store::TransactionRow> t =
      d.transactions->Get(*call.principal, std::string(call.params.Get("id")));
  if (!t.ok()) return t.status();
  WriteValue(res, 200, ReceiptJson(*t));
  return Status::Ok();
}

Status Summary(PaymentDeps& d, const Call& call, httplib::Response& res) {
  Result<payments::Summary> s = d.transactions->Summarize(*call.principal);
  if (!s.ok()) return s.status();
  WriteValue(res, 200, SummaryJson(*s));
  return Status::Ok();
}

constexpr char kIdempotencyNote[] =
    " Send an Idempotency-Key header (1-255 visible ASCII characters) to make a retry safe: "
    "for 24 hours the same key and body replay the first answer with Idempotent-Replayed: "
    "true, concurrent duplicates included, and the same key with another request is 422 "
    "idempotency_key_reused.";

Route PaymentRoute(const std::string& path, Handler h, const std::string& summary) {
  Route r = MakeRoute("POST", path, std::move(h), "transactions", summary);
  r.auth = Auth::kUser;
  r.scopes = {"transactions:write"};
  r.rate_class = RateClass::kPayments;
  r.doc.success_status = 201;
  r.doc.success_description = "Created";
  r.doc.data_schema = kTransactionSchema;
  r.doc.errors = {400, 402, 404, 422, 429, 503};
  r.doc.idempotent = true;
  return r;
}

Route ReadRoute(const std::string& path, Handler h, const std::string& summary,
                std::string schema) {
  Route r = MakeRoute("GET", path, std::move(h), "transactions", summary);
  r.auth = Auth::kUser;
  r.scopes = {"transactions:read"};
  r.doc.data_schema = std::move(schema);
  r.doc.errors = {503};
  return r;
}

}  // namespace

void RegisterTransactionRoutes(Router& router, PaymentDeps* deps) {
  Route remit = PaymentRoute("/api/v1/transactions/remittance", Bind(deps, Remit),
                             "Send money abroad to a recipient");
  remit.doc.description =
      std::string("100 to 50 000 NOK (at most 2 decimals), fee 0.5 % rounded half-up, from the "
                  "primary account unless bankAccountId names another. Needs KYC approved (403 "
                  "kyc_required); no account is 400 no_bank_account; the bank refusing the debit "
                  "is 402 insufficient_balance, and then nothing changes. Starts processing; the "
                  "sandbox bank settles it after SANDBOX_SETTLE_SECONDS (amounts ending in "
                  "SANDBOX_FAIL_CENTS fail, refunded).") +
      kIdempotencyNote;
  remit.doc.request_schema = R"({"type": "object", "required": ["recipientId", "amount"],
    "properties": {"recipientId": {"type": "string"},
                   "amount": {"type": "number", "minimum": 100, "maximum": 50000,
                              "multipleOf": 0.01},
                   "currency": {"const": "NOK", "default": "NOK"},
                   "bankAccountId": {"type": "string"}}})";
  remit.doc.errors.push_back(403);
  router.Add(std::move(remit));

  Route qr = PaymentRoute("/api/v1/transactions/qr-payment", Bind(deps, PayQr),
                          "Pay a merchant by QR code");
  qr.doc.description =
      std::string("1 to 100 000 NOK (at most 2 decimals), fee 1 % rounded half-up, from the "
                  "primary account; completed at once.") +
      kIdempotencyNote;
  qr.doc.request_schema = R"({"type": "object", "required": ["merchantId", "amount"],
    "properties": {"merchantId": {"type": "string"},
                   "amount": {"type": "number", "minimum": 1, "maximum": 100000,
                              "multipleOf": 0.01}}})";
  router.Add(std::move(qr));

  Route disclose = MakeRoute("POST", "/api/v1/transactions/disclosure", Bind(deps, Disclose),
                             "transactions", "What a payment would cost, before making it");
  disclose.auth = Auth::kUser;
  disclose.scopes = {"transactions:read"};
  disclose.doc.description =
      "The fee, exchange rate, amount received and delivery estimate, under the same limits "
      "as the payment itself. Changes nothing.";
  disclose.doc.request_schema = R"({"type": "object", "required": ["type", "amount"],
    "properties": {"type": {"enum": ["remittance", "qr_payment"]},
                   "amount": {"type": "number", "multipleOf": 0.01},
                   "currency": {"const": "NOK"},
                   "recipientId": {"type": "string", "description": "Required for remittance"}}})";
  disclose.doc.data_schema = kQuoteSchema;
  disclose.doc.errors = {404, 422, 503};
  router.Add(std::move(disclose));

  Route list = ReadRoute("/api/v1/transactions", Bind(deps, List), "The caller's transactions",
                         std::string(R"({"type": "array", "items": )") + kTransactionItemSchema +
                             "}");
  list.doc.description =
      "Lists follow API.md §7; sort fields createdAt, amount. Filters: type, status, search "
      "(recipient or merchant name), createdAt[gte|lte] (time or date), amount[gte|lte] (the "
      "amount sent, before the fee)." + std::string(kPaginationNote);
  list.doc.query = ListQueryParams(store::TransactionSortColumns());
  list.doc.query.insert(list.doc.query.end(), {
      {"type", R"({"enum": ["remittance", "qr_payment"]})", "", false},
      {"status", R"({"enum": ["processing", "completed", "failed"]})", "", false},
      {"search", R"({"type": "string", "minLength": 2})", "", false},
      {"createdAt[gte]", R"({"type": "string"})", "from this time or date", false},
      {"createdAt[lte]", R"({"type": "string"})", "to this time or the end of this date", false},
      {"amount[gte]", R"({"type": "number"})", "", false},
      {"amount[lte]", R"({"type": "number"})", "", false}});
  list.doc.errors = {400, 503};
  router.Add(std::move(list));

  // Before /transactions/{id}: the first matching route wins.
  router.Add(ReadRoute("/api/v1/transactions/summary", Bind(deps, Summary),
                       "Counts and totals, all time and this month", SummarySchema()));

  Route get = ReadRoute("/api/v1/transactions/{id}", Bind(deps, Get), "One transaction",
                        kTransactionSchema);
  get.doc.description = "Another user's transaction, or an unknown one, is 404.";
  get.doc.errors = {404, 503};
  router.Add(std::move(get));

  Route receipt = ReadRoute("/api/v1/transactions/{id}/receipt", Bind(deps, Receipt),
                            "A transaction's receipt", kReceiptSchema);
  receipt.doc.errors = {404, 503};
  router.Add(std::move(receipt));
}

}  // namespace cairn::http
