// /api/v1/bank-accounts: link a sandbox account, list, refresh a balance,
// choose the primary account.

#include "http/envelope.h"
#include "http/fields.h"
#include "http/handlers_payments.h"
#include "http/idempotency.h"
#include "http/lists.h"
#include "http/user_json.h"
#include "payments/bank_accounts.h"
#include "payments/money.h"
#include "util/ids.h"

namespace cairn::http {

namespace {

constexpr char kAccountSchema[] = R"({"type": "object",
  "required": ["id", "bankName", "accountNumber", "balance", "currency", "isPrimary",
               "balanceRefreshedAt", "createdAt"],
  "properties": {
    "id": {"type": "string", "pattern": "^ba_[a-f0-9]{16}$"},
    "bankName": {"type": "string"},
    "accountNumber": {"type": "string", "description": "1234.56.78901, with a MOD11 check digit"},
    "balance": {"type": "number", "description": "Last balance read from the bank, NOK"},
    "currency": {"const": "NOK"},
    "isPrimary": {"type": "boolean"},
    "balanceRefreshedAt": {"type": "string", "format": "date-time"},
    "createdAt": {"type": "string", "format": "date-time"}}})";

picojson::value AccountJson(const store::BankAccountRow& a) {
  picojson::object o;
  o["id"] = picojson::value(a.id);
  o["bankName"] = picojson::value(a.bank_name);
  o["accountNumber"] = picojson::value(a.account_number);
  o["balance"] = payments::AmountToJson(a.balance);
  o["currency"] = picojson::value(a.currency);
  o["isPrimary"] = picojson::value(a.is_primary);
  o["balanceRefreshedAt"] = TimeJson(a.balance_refreshed_at);
  o["createdAt"] = TimeJson(a.created_at);
  return picojson::value(o);
}

Result<payments::LinkInput> ReadLink(const picojson::object& body) {
  FieldReader f(body);
  payments::LinkInput in;
  in.bank_name = f.String("bankName");
  in.currency = f.OptionalString("currency", in.currency);
  in.initial_balance = f.Amount("initialBalance", false, in.initial_balance);
  if (Status s = f.Finish(); !s.ok()) return s;
  return in;
}

Status Link(PaymentDeps& d, const Call& call, httplib::Response& res) {
  Result<payments::IdempotencyKey> key = ReadIdempotencyKey(call.req);
  if (!key.ok()) return key.status();
  Result<payments::LinkInput> in = ReadLink(call.body);
  if (!in.ok()) return in.status();
  Result<payments::Reply> reply =
      d.bank_accounts->Link(*call.principal, *in, *key, [](const store::BankAccountRow& a) {
        return MakeReply(201, AccountJson(a));
      });
  if (!reply.ok()) return reply.status();
  WriteReply(res, *reply);
  return Status::Ok();
}

Status List(PaymentDeps& d, const Call& call, httplib::Response& res) {
  Result<ListRequest> list =
      ReadListRequest(call.req, store::BankAccountSortColumns(), "-createdAt");
  if (!list.ok()) return list.status();
  store::ListResult result;
  auto rows = d.bank_accounts->List(*call.principal, list->spec, &result);
  if (!rows.ok()) return rows.status();
  picojson::array items;
  for (const store::BankAccountRow& a : *rows) items.push_back(AccountJson(a));
  WriteList(res, std::move(items), *list, result);
  return Status::Ok();
}

Status Refresh(PaymentDeps& d, const Call& call, httplib::Response& res) {
  std::string id(call.params.Get("id"));
  if (!IsWellFormedId(id)) return Status::NotFound("No such bank account");
  Result<store::BankAccountRow> row = d.bank_accounts->Refresh(*call.principal, id);
  if (!row.ok()) return row.status();
  WriteValue(res, 200, AccountJson(*row));
  return Status::Ok();
}

Status MakePrimary(PaymentDeps& d, const Call& call, httplib::Response& res) {
  std::string id(call.params.Get("id"));
  if (!IsWellFormedId(id)) return Status::NotFound("No such bank account");
  Result<store::BankAccountRow> row = d.bank_accounts->MakePrimary(*call.principal, id);
  if (!row.ok()) return row.status();
  WriteValue(res, 200, AccountJson(*row));
  return Status::Ok();
}


}  // namespace

void RegisterBankAccountRoutes(Router& router, PaymentDeps* deps) {
  Route link = MakeRoute("POST", "/api/v1/bank-accounts", Bind(deps, Link), "bank-accounts",
                         "Link a bank account (the sandbox bank opens one)");
  link.auth = Auth::kUser;
  link.doc.description =
      "Opens an account at the sandbox bank with a generated account number and the opening "
      "balance asked for (default 50000 NOK), and links it; the first account linked becomes "
      "primary. At most 10 per user (409 beyond). Send an Idempotency-Key header to make a "
      "retry safe: the same key and body replay the first answer (Idempotent-Replayed: true), "
      "the same key with another body is 422 idempotency_key_reused.";
  link.doc.request_schema = R"({"type": "object", "required": ["bankName"],
    "properties": {"bankName": {"type": "string", "minLength": 1, "maxLength": 100},
                   "currency": {"const": "NOK", "default": "NOK"},
                   "initialBalance": {"type": "number", "minimum": 0, "maximum": 1000000,
                                      "multipleOf": 0.01, "default": 50000}}})";
  link.doc.success_status = 201;
  link.doc.success_description = "Linked";
  link.doc.data_schema = kAccountSchema;
  link.doc.errors = {409, 422, 503};
  link.doc.idempotent = true;
  router.Add(std::move(link));

  Route list = MakeRoute("GET", "/api/v1/bank-accounts", Bind(deps, List), "bank-accounts",
                         "The caller's linked accounts with the balance last read");
  list.auth = Auth::kUser;
  list.scopes = {"transactions:read"};
  list.doc.description =
      std::string("Lists follow API.md §7; sort fields createdAt, balance, bankName.") +
      kPaginationNote;
  list.doc.query = ListQueryParams(store::BankAccountSortColumns());
  list.doc.data_schema = std::string(R"({"type": "array", "items": )") + kAccountSchema + "}";
  list.doc.errors = {503};
  router.Add(std::move(list));

  Route refresh = MakeRoute("POST", "/api/v1/bank-accounts/{id}/refresh", Bind(deps, Refresh),
                            "bank-accounts", "Read the balance from the bank again");
  refresh.auth = Auth::kUser;
  refresh.doc.description = "Another user's account, or an unknown one, is 404.";
  refresh.doc.data_schema = kAccountSchema;
  refresh.doc.errors = {404, 503};
  router.Add(std::move(refresh));

  Route primary = MakeRoute("POST", "/api/v1/bank-accounts/{id}/primary",
                            Bind(deps, MakePrimary), "bank-accounts",
                            "Make an account the one payments come from");
  primary.auth = Auth::kUser;
  primary.doc.description = "The previous primary account stops being primary in the same step.";
  primary.doc.data_schema = kAccountSchema;
  primary.doc.errors = {404, 503};
  router.Add(std::move(primary));
}

}  // namespace cairn::http
