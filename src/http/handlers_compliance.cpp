// /api/v1/consents, /api/v1/complaints, /api/v1/user/data-export and
// DELETE /api/v1/user/account (GDPR access and erasure).

#include "http/envelope.h"
#include "http/fields.h"
#include "http/handlers_payments.h"
#include "http/lists.h"
#include "http/user_json.h"
#include "payments/compliance.h"

namespace cairn::http {

namespace {

constexpr char kConsentSchema[] = R"({"type": "object",
  "required": ["id", "consentType", "granted", "createdAt", "updatedAt"],
  "properties": {
    "id": {"type": "string", "pattern": "^con_[a-f0-9]{16}$"},
    "consentType": {"enum": ["terms", "privacy", "marketing", "cookies_analytics",
                             "cookies_marketing"]},
    "granted": {"type": "boolean"},
    "grantedAt": {"type": ["string", "null"], "format": "date-time"},
    "withdrawnAt": {"type": ["string", "null"], "format": "date-time"},
    "ipAddress": {"type": "string", "description": "Where the last change came from"},
    "createdAt": {"type": "string", "format": "date-time"},
    "updatedAt": {"type": "string", "format": "date-time"}}})";

constexpr char kComplaintSchema[] = R"({"type": "object",
  "required": ["id", "category", "subject", "description", "status", "createdAt"],
  "properties": {
    "id": {"type": "string", "pattern": "^cmp_[a-f0-9]{16}$"},
    "category": {"enum": ["transaction", "service", "fees", "privacy", "technical", "other"]},
    "subject": {"type": "string"}, "description": {"type": "string"},
    "status": {"type": "string"}, "resolution": {"type": ["string", "null"]},
    "createdAt": {"type": "string", "format": "date-time"},
    "resolvedAt": {"type": ["string", "null"], "format": "date-time"},
    "commitmentNote": {"type": "string", "description": "Only in the answer to POST"}}})";

picojson::value TimeOrNull(int64_t t) { return t != 0 ? TimeJson(t) : picojson::value(); }

picojson::value ConsentJson(const store::ConsentRow& c) {
  picojson::object o;
  o["id"] = picojson::value(c.id);
  o["consentType"] = picojson::value(c.consent_type);
  o["granted"] = picojson::value(c.granted);
  o["grantedAt"] = TimeOrNull(c.granted_at);
  o["withdrawnAt"] = TimeOrNull(c.withdrawn_at);
  if (!c.ip_address.empty()) o["ipAddress"] = picojson::value(c.ip_address);
  o["createdAt"] = TimeJson(c.created_at);
  o["updatedAt"] = TimeJson(c.updated_at);
  return picojson::value(o);
}

picojson::object ComplaintJson(const store::ComplaintRow& c) {
  picojson::object o;
  o["id"] = picojson::value(c.id);
  o["category"] = picojson::value(c.category);
  o["subject"] = picojson::value(c.subject);
  o["description"] = picojson::value(c.description);
  o["status"] = picojson::value(c.status);
  o["resolution"] = c.resolution.empty() ? picojson::value() : picojson::value(c.resolution);
  o["createdAt"] = TimeJson(c.created_at);
  o["resolvedAt"] = TimeOrNull(c.resolved_at);
  return o;
}

Status ListConsents(PaymentDeps& d, const Call& call, httplib::Response& res) {
  auto rows = d.compliance->Consents(*call.principal);
  if (!rows.ok()) return rows.status();
  picojson::array items;
  for (const store::ConsentRow& c : *rows) items.push_back(ConsentJson(c));
  WriteValue(res, 200, picojson::value(items));
  return Status::Ok();
}

Status SetConsent(PaymentDeps& d, const Call& call, httplib::Response& res) {
  FieldReader f(call.body);
  std::string type = f.String("consentType");
  bool granted = f.Bool("granted", true);
  if (Status s = f.Finish(); !s.ok()) return s;
  bool created = false;
  auto c = d.compliance->SetConsent(*call.principal, type, granted, call.client_ip, &created);
  if (!c.ok()) return c.status();
  WriteValue(res, created ? 201 : 200, ConsentJson(*c));
  return Status::Ok();
}

Status Complain(PaymentDeps& d, const Call& call, httplib::Response& res) {
  FieldReader f(call.body);
  payments::NewComplaint in;
  in.category = f.String("category");
  in.subject = f.String("subject");
  in.description = f.String("description");
  if (Status s = f.Finish(); !s.ok()) return s;
  auto c = d.compliance->Complain(*call.principal, in);
  if (!c.ok()) return c.status();
  picojson::object o = ComplaintJson(*c);
  o["commitmentNote"] = picojson::value(payments::kComplaintCommitment);
  WriteValue(res, 201, picojson::value(o));
  return Status::Ok();
}

Status ListComplaints(PaymentDeps& d, const Call& call, httplib::Response& res) {
  Result<ListRequest> list = ReadListRequest(call.req, store::ComplaintSortColumns(), "-createdAt");
  if (!list.ok()) return list.status();
  store::ListResult result;
  auto rows = d.compliance->Complaints(*call.principal, list->spec, &result);
  if (!rows.ok()) return rows.status();
  picojson::array items;
  for (const store::ComplaintRow& c : *rows) items.emplace_back(ComplaintJson(c));
  WriteList(res, std::move(items), *list, result);
  return Status::Ok();
}

Status Export(PaymentDeps& d, const Call& call, httplib::Response& res) {
  auto doc = d.compliance->Export(*call.principal);
  if (!doc.ok()) return doc.status();
  picojson::object o = std::move(*doc);
  o["exportedAt"] = TimeJson(UnixSeconds(SystemClock::Get().Now()));
  res.set_header("Content-Disposition", "attachment; filename=\"cairn-data-export.json\"");
  WriteValue(res, 200, picojson::value(o));
  return Status::Ok();
}

Status Erase(PaymentDeps& d, const Call& call, httplib::Response& res) {
  if (Status s = d.compliance->Erase(*call.principal); !s.ok()) return s;
  picojson::object o;
  o["message"] = picojson::value("Account deleted");
  o["retentionNote"] = picojson::value(payments::kRetentionNote);
  WriteValue(res, 200, picojson::value(o));
  return Status::Ok();
}

}  // namespace

void RegisterComplianceRoutes(Router& router, PaymentDeps* deps) {
  Route consents = MakeRoute("GET", "/api/v1/consents", Bind(deps, ListConsents), "compliance",
                             "The caller's consents");
  consents.auth = Auth::kUser;
  consents.doc.data_schema = std::string(R"({"type": "array", "items": )") + kConsentSchema + "}";
  consents.doc.errors = {503};
  router.Add(std::move(consents));

  Route consent = MakeRoute("POST", "/api/v1/consents", Bind(deps, SetConsent), "compliance",
                            "Grant or withdraw a consent");
  consent.auth = Auth::kUser;
  consent.doc.description =
      "201 when the consent is new, 200 when it changes; the client's address and the time "
      "are recorded with it.";
  consent.doc.request_schema = R"({"type": "object", "required": ["consentType", "granted"],
    "properties": {"consentType": {"enum": ["terms", "privacy", "marketing",
                                            "cookies_analytics", "cookies_marketing"]},
                   "granted": {"type": "boolean"}}})";
  consent.doc.data_schema = kConsentSchema;
  consent.doc.errors = {422, 503};
  router.Add(std::move(consent));

  Route complain = MakeRoute("POST", "/api/v1/complaints", Bind(deps, Complain), "compliance",
                             "Submit a complaint");
  complain.auth = Auth::kUser;
  complain.doc.description =
      "Answered within 15 business days (Finansavtaleloven § 3-53). Subject 1-200 and "
      "description 1-2000 characters, without markup. Emits complaint.created.";
  complain.doc.request_schema = R"({"type": "object",
    "required": ["category", "subject", "description"],
    "properties": {"category": {"enum": ["transaction", "service", "fees", "privacy",
                                         "technical", "other"]},
                   "subject": {"type": "string", "minLength": 1, "maxLength": 200},
                   "description": {"type": "string", "minLength": 1, "maxLength": 2000}}})";
  complain.doc.success_status = 201;
  complain.doc.success_description = "Received";
  complain.doc.data_schema = kComplaintSchema;
  complain.doc.errors = {422, 503};
  router.Add(std::move(complain));

  Route complaints = MakeRoute("GET", "/api/v1/complaints", Bind(deps, ListComplaints),
                               "compliance", "The caller's complaints");
  complaints.auth = Auth::kUser;
  complaints.doc.description = std::string("Lists follow API.md §7.") + kPaginationNote;
  complaints.doc.query = ListQueryParams(store::ComplaintSortColumns());
  complaints.doc.data_schema =
      std::string(R"({"type": "array", "items": )") + kComplaintSchema + "}";
  complaints.doc.errors = {503};
  router.Add(std::move(complaints));

  Route exp = MakeRoute("GET", "/api/v1/user/data-export", Bind(deps, Export), "compliance",
                        "Everything Cairn holds about the caller, as one document");
  exp.auth = Auth::kUser;
  exp.doc.description =
      "GDPR art. 15 and 20: the account and every row that holds the caller's data (bank "
      "accounts, recipients, transactions, merchant, settings, consents, complaints, "
      "notifications, events, sessions, API keys without key material, audit entries, data "
      "requests), with the database's column names. Recorded as a data access request.";
  exp.doc.data_schema = R"({"type": "object", "required": ["user", "exportedAt"],
    "properties": {"user": {"type": "object", "description": "the account's row"},
                   "exportedAt": {"type": "string", "format": "date-time"}},
    "additionalProperties": {"type": "array", "items": {"type": "object"},
                             "description": "one table's rows: bankAccounts, transactions, ..."}})";
  exp.doc.errors = {503};
  router.Add(std::move(exp));

  Route erase = MakeRoute("DELETE", "/api/v1/user/account", Bind(deps, Erase), "compliance",
                          "Erase the caller's account and personal data");
  erase.auth = Auth::kUser;
  erase.doc.description =
      "GDPR art. 17. The account is deleted, every session ends, API keys are revoked, and "
      "personal data is scrubbed (names, email, phone, birth date, recipients' details, "
      "consents, notifications, settings, events). Transactions are kept, tied to the "
      "anonymised account, for 5 years (hvitvaskingsloven).";
  erase.doc.data_schema = R"({"type": "object", "required": ["message", "retentionNote"],
    "properties": {"message": {"type": "string"}, "retentionNote": {"type": "string"}}})";
  erase.doc.errors = {503};
  router.Add(std::move(erase));
}

}  // namespace cairn::http
