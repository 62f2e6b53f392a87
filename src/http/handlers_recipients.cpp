// /api/v1/recipients: create (the account number echoed in full, once),
// list (masked), delete.

#include "http/envelope.h"
#include "http/fields.h"
#include "http/handlers_payments.h"
#include "http/lists.h"
#include "http/user_json.h"
#include "payments/account_numbers.h"
#include "payments/rates.h"
#include "payments/recipients.h"
#include "util/ids.h"

namespace cairn::http {

namespace {

constexpr char kRecipientSchema[] = R"({"type": "object",
  "required": ["id", "name", "country", "countryName", "currency", "bankAccount", "createdAt"],
  "properties": {
    "id": {"type": "string", "pattern": "^rcp_[a-f0-9]{16}$"},
    "name": {"type": "string"},
    "country": {"enum": ["RS", "BA", "PL", "PK", "TR"]},
    "countryName": {"type": "string"},
    "currency": {"enum": ["RSD", "BAM", "PLN", "PKR", "TRY"]},
    "bankAccount": {"type": "string",
                    "description": "In full only in the answer to POST; *****1234 after"},
    "bankName": {"type": "string"},
    "createdAt": {"type": "string", "format": "date-time"}}})";

picojson::value RecipientJson(const store::RecipientRow& r, bool full_account) {
  picojson::object o;
  o["id"] = picojson::value(r.id);
  o["name"] = picojson::value(r.name);
  o["country"] = picojson::value(r.country);
  const payments::Corridor* c = payments::FindCorridor(r.country);
  o["countryName"] = picojson::value(c != nullptr ? std::string(c->name) : r.country);
  o["currency"] = picojson::value(r.currency);
  o["bankAccount"] = picojson::value(full_account ? r.bank_account
                                                  : payments::MaskAccountNumber(r.bank_account));
  if (!r.bank_name.empty()) o["bankName"] = picojson::value(r.bank_name);
  o["createdAt"] = TimeJson(r.created_at);
  return picojson::value(o);
}

Status Create(PaymentDeps& d, const Call& call, httplib::Response& res) {
  FieldReader f(call.body);
  payments::NewRecipient in;
  in.name = f.String("name");
  in.country = f.String("country");
  in.currency = f.String("currency");
  in.bank_account = f.String("bankAccount");
  in.bank_name = f.OptionalString("bankName");
  if (Status s = f.Finish(); !s.ok()) return s;
  Result<store::RecipientRow> r = d.recipients->Create(*call.principal, in);
  if (!r.ok()) return r.status();
  WriteValue(res, 201, RecipientJson(*r, true));
  return Status::Ok();
}

Status List(PaymentDeps& d, const Call& call, httplib::Response& res) {
  Result<ListRequest> list = ReadListRequest(call.req, store::RecipientSortColumns(), "-createdAt");
  if (!list.ok()) return list.status();
  store::ListResult result;
  auto rows = d.recipients->List(*call.principal, list->spec, &result);
  if (!rows.ok()) return rows.status();
  picojson::array items;
  for (const store::RecipientRow& r : *rows) items.push_back(RecipientJson(r, false));
  WriteList(res, std::move(items), *list, result);
  return Status::Ok();
}

Status Delete(PaymentDeps& d, const Call& call, httplib::Response& res) {
  std::string id(call.params.Get("id"));
  if (!IsWellFormedId(id)) return Status::NotFound("No such recipient");
  if (Status s = d.recipients->Delete(*call.principal, id); !s.ok()) return s;
  res.status = 204;
  return Status::Ok();
}

}  // namespace

void RegisterRecipientRoutes(Router& router, PaymentDeps* deps) {
  Route create = MakeRoute("POST", "/api/v1/recipients", Bind(deps, Create), "recipients",
                           "Add a remittance recipient");
  create.auth = Auth::kUser;
  create.doc.description =
      "Countries RS, BA, PL, PK, TR, each with its currency (RSD, BAM, PLN, PKR, TRY). "
      "bankAccount: an IBAN of the country (RS 22, BA 20, PL 28, PK 24, TR 26 characters, "
      "check digits verified), or for RS and BA the domestic number (18 / 16 digits, MOD 97 "
      "check); spaces, dots and dashes are ignored. The number is echoed in full only here.";
  create.doc.request_schema = R"({"type": "object",
    "required": ["name", "country", "currency", "bankAccount"],
    "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 100},
                   "country": {"enum": ["RS", "BA", "PL", "PK", "TR"]},
                   "currency": {"enum": ["RSD", "BAM", "PLN", "PKR", "TRY"]},
                   "bankAccount": {"type": "string"},
                   "bankName": {"type": "string", "maxLength": 200}}})";
  create.doc.success_status = 201;
  create.doc.success_description = "Created";
  create.doc.data_schema = kRecipientSchema;
  create.doc.errors = {409, 422, 503};
  router.Add(std::move(create));

  Route list = MakeRoute("GET", "/api/v1/recipients", Bind(deps, List), "recipients",
                         "The caller's recipients, account numbers masked");
  list.auth = Auth::kUser;
  list.scopes = {"transactions:read"};
  list.doc.description =
      std::string("Lists follow API.md §7; sort fields createdAt, name.") + kPaginationNote;
  list.doc.query = ListQueryParams(store::RecipientSortColumns());
  list.doc.data_schema = std::string(R"({"type": "array", "items": )") + kRecipientSchema + "}";
  list.doc.errors = {503};
  router.Add(std::move(list));

  Route del = MakeRoute("DELETE", "/api/v1/recipients/{id}", Bind(deps, Delete), "recipients",
                        "Delete a recipient");
  del.auth = Auth::kUser;
  del.doc.description =
      "Hides the recipient; its past transactions keep its name. Another user's recipient, or "
      "an unknown one, is 404.";
  del.doc.success_status = 204;
  del.doc.success_description = "Deleted";
  del.doc.errors = {404, 503};
  router.Add(std::move(del));
}

}  // namespace cairn::http
