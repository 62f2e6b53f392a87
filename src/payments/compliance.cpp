#include "payments/compliance.h"

#include <algorithm>

#include "payments/outbox.h"
#include "util/ids.h"
#include "util/json.h"
#include "util/log.h"

namespace cairn::payments {

namespace {

template <size_t N>
bool OneOf(const std::string& v, const char* const (&list)[N]) {
  return std::any_of(std::begin(list), std::end(list), [&v](const char* x) { return v == x; });
}

// Free text a person wrote: kept as written, but never with markup or
// control characters (other than line breaks) that a reader's screen would
// act on.
bool Clean(const std::string& s) {
  return std::none_of(s.begin(), s.end(), [](char ch) {
    unsigned char c = static_cast<unsigned char>(ch);
    return c == '<' || c == '>' || (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f;
  });
}

void CheckText(const char* field, const std::string& v, size_t max,
               std::vector<FieldError>* errors) {
  size_t n = json::CodePoints(v);
  if (n == 0 || n > max) {
    errors->push_back({field,
                       std::string(field) + " must be 1-" + std::to_string(max) + " characters",
                       "invalid_length"});
  } else if (!Clean(v)) {
    errors->push_back(
        {field, std::string(field) + " must not contain markup or control characters",
         "invalid_format"});
  }
}

}  // namespace

Compliance::Compliance(store::Database& db, const Clock& clock, auth::Sessions& sessions)
    : db_(db), clock_(clock), sessions_(sessions) {}

Result<std::vector<store::ConsentRow>> Compliance::Consents(const auth::Principal& who) {
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  return store::ListConsents(**lease, who.user_id);
}

Result<store::ConsentRow> Compliance::SetConsent(const auth::Principal& who,
                                                 const std::string& type, bool granted,
                                                 const std::string& ip, bool* created) {
  if (!OneOf(type, kConsentTypes)) {
    return Status::Validation(
        "Request validation failed",
        {{"consentType",
          "consentType must be one of terms, privacy, marketing, cookies_analytics, "
          "cookies_marketing",
          "invalid_value"}});
  }
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  int64_t now = UnixSeconds(clock_.Now());
  try {
    store::WriteTransaction tx(**lease);
    Result<store::ConsentRow> existing = store::FindConsent(**lease, who.user_id, type);
    if (!existing.ok() && existing.status().code() != Code::kNotFound) return existing.status();
    *created = !existing.ok();
    store::ConsentRow c;
    if (*created) {
      c.id = NewId("con");
      c.user_id = who.user_id;
      c.consent_type = type;
      c.created_at = now;
    } else {
      c = *existing;
    }
    c.granted = granted;
    // Each side keeps the time it last happened.
    (granted ? c.granted_at : c.withdrawn_at) = now;
    c.ip_address = ip;
    c.updated_at = now;
    if (Status s = store::SaveConsent(**lease, c); !s.ok()) return s;
    tx.Commit();
    return c;
  } catch (const std::exception& e) {
    return store::FromSqliteError(e, "set consent");
  }
}

Result<store::ComplaintRow> Compliance::Complain(const auth::Principal& who,
                                                 const NewComplaint& in) {
  std::vector<FieldError> errors;
  if (!OneOf(in.category, kComplaintCategories)) {
    errors.push_back({"category",
                      "category must be one of transaction, service, fees, privacy, technical, "
                      "other",
                      "invalid_value"});
  }
  CheckText("subject", in.subject, 200, &errors);
  CheckText("description", in.description, 2000, &errors);
  if (!errors.empty()) return Status::Validation("Request validation failed", std::move(errors));
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  int64_t now = UnixSeconds(clock_.Now());
  try {
    store::WriteTransaction tx(**lease);
    store::ComplaintRow c;
    c.id = NewId("cmp");
    c.user_id = who.user_id;
    c.category = in.category;
    c.subject = in.subject;
    c.description = in.description;
    c.created_at = now;
    if (Status s = store::InsertComplaint(**lease, c); !s.ok()) return s;
    picojson::object data;
    data["id"] = picojson::value(c.id);
    data["category"] = picojson::value(c.category);
    data["status"] = picojson::value(c.status);
    if (Status s = Emit(**lease, who.user_id, "complaint.created", picojson::value(data), now);
        !s.ok()) {
      return s;
    }
    tx.Commit();
    return c;
  } catch (const std::exception& e) {
    return store::FromSqliteError(e, "create complaint");
  }
}

Result<std::vector<store::ComplaintRow>> Compliance::Complaints(const auth::Principal& who,
                                                                const store::ListSpec& spec,
                                                                store::ListResult* result) {
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  return store::ListComplaints(**lease, who.user_id, spec, result);
}

Result<picojson::object> Compliance::Export(const auth::Principal& who) {
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  try {
    // The record of the request first, in the same snapshot as the export,
    // so the document lists itself.
    store::WriteTransaction tx(**lease);
    Status s = store::InsertDataAccessRequest(**lease, NewId("dar"), who.user_id, "export",
                                              UnixSeconds(clock_.Now()));
    if (!s.ok()) return s;
    Result<picojson::object> doc = store::ExportUserData(**lease, who.user_id);
    if (!doc.ok()) return doc.status();
    tx.Commit();
    return doc;
  } catch (const std::exception& e) {
    return store::FromSqliteError(e, "export user data");
  }
}

Status Compliance::Erase(const auth::Principal& who) {
  {
    auto lease = db_.Acquire();
    if (!lease.ok()) return lease.status();
    int64_t now = UnixSeconds(clock_.Now());
    try {
      store::WriteTransaction tx(**lease);
      Status s = store::EraseUserData(**lease, who.user_id, now);
      if (!s.ok()) return s;
      s = store::InsertDataAccessRequest(**lease, NewId("dar"), who.user_id, "erasure", now);
      if (!s.ok()) return s;
      tx.Commit();
    } catch (const std::exception& e) {
      return store::FromSqliteError(e, "erase user");
    }
  }
  log::Info("user_erased").Str("userId", who.user_id).Emit();
  // The account is refused everywhere already (status deleted); this ends
  // live access tokens too.
  return sessions_.RevokeUser(who.user_id, "account_erased");
}

}  // namespace cairn::payments
