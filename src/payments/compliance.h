#pragma once

// What the law asks of a payments service (API.md §9): consents (GDPR
// art. 7), complaints (Finansavtaleloven § 3-53: an answer within 15
// business days), and the data subject's rights of access (export) and
// erasure.
//
// Erasure soft-deletes the account, ends its sessions and scrubs personal
// data (store::EraseUserData), but keeps the financial records, tied to the
// anonymised account, for the five years the anti-money-laundering act
// (hvitvaskingsloven) requires. Both export and erasure leave a
// data_access_requests row behind as their record.
//
// Thread-safe: state is in the database.

#include <string>
#include <vector>

#include "auth/access.h"
#include "auth/sessions.h"
#include "store/compliance.h"
#include "store/database.h"
#include "util/clock.h"
#include "util/status.h"

namespace cairn::payments {

inline constexpr const char* kConsentTypes[] = {"terms", "privacy", "marketing",
                                                "cookies_analytics", "cookies_marketing"};
inline constexpr const char* kComplaintCategories[] = {"transaction", "service", "fees",
                                                       "privacy",     "technical", "other"};
inline constexpr const char kComplaintCommitment[] =
    "We will review and respond to your complaint within 15 business days per "
    "Finansavtaleloven §3-53";
inline constexpr const char kRetentionNote[] =
    "Financial records are retained for 5 years per AML requirements (hvitvaskingsloven); "
    "personal data has been erased";

struct NewComplaint {
  std::string category;
  std::string subject;      // 1-200 characters
  std::string description;  // 1-2000 characters
};

class Compliance {
 public:
  Compliance(store::Database& db, const Clock& clock, auth::Sessions& sessions);
  Compliance(const Compliance&) = delete;
  Compliance& operator=(const Compliance&) = delete;

  Result<std::vector<store::ConsentRow>> Consents(const auth::Principal& who);
  // Grants or withdraws; *created says whether the consent was new.
  // Validation for an unknown type.
  Result<store::ConsentRow> SetConsent(const auth::Principal& who, const std::string& type,
                                       bool granted, const std::string& ip, bool* created);

  Result<store::ComplaintRow> Complain(const auth::Principal& who, const NewComplaint& in);
  Result<std::vector<store::ComplaintRow>> Complaints(const auth::Principal& who,
                                                      const store::ListSpec& spec,
                                                      store::ListResult* result);

  // Every row holding the caller's data, as one document.
  Result<picojson::object> Export(const auth::Principal& who);
  // Erases the caller's personal data and ends every session.
  Status Erase(const auth::Principal& who);

 private:
  store::Database& db_;
  const Clock& clock_;
  auth::Sessions& sessions_;
};

}  // namespace cairn::payments
