#pragma once

// What regulation asks a payments service to keep: consents (consents),
// complaints (complaints), the record of data-access requests
// (data_access_requests), and the per-user export and erasure of personal
// data across every table that holds it.

#include <SQLiteCpp/Database.h>

#include <picojson.h>

#include <cstdint>
#include <string>
#include <vector>

#include "store/list_query.h"
#include "util/status.h"

namespace cairn::store {

struct ConsentRow {
  std::string id;
  std::string user_id;
  std::string consent_type;
  bool granted = false;
  int64_t granted_at = 0;
  int64_t withdrawn_at = 0;
  std::string ip_address;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

Result<std::vector<ConsentRow>> ListConsents(SQLite::Database& db, const std::string& user_id);
// NotFound when the user has no consent of that type yet.
Result<ConsentRow> FindConsent(SQLite::Database& db, const std::string& user_id,
                               const std::string& consent_type);
// Inserts or replaces the user's consent of c.consent_type.
Status SaveConsent(SQLite::Database& db, const ConsentRow& c);

struct ComplaintRow {
  std::string id;
  std::string user_id;
  std::string category;
  std::string subject;
  std::string description;
  std::string status = "received";
  std::string resolution;
  int64_t created_at = 0;
  int64_t resolved_at = 0;
};

const std::vector<SortColumn>& ComplaintSortColumns();
Status InsertComplaint(SQLite::Database& db, const ComplaintRow& c);
Result<std::vector<ComplaintRow>> ListComplaints(SQLite::Database& db, const std::string& user_id,
                                                 const ListSpec& spec, ListResult* result);

Status InsertDataAccessRequest(SQLite::Database& db, const std::string& id,
                               const std::string& user_id, const std::string& type,
                               int64_t now);

// Every row that holds user_id's data, table by table, as JSON objects with
// the columns' names: one document for a GDPR export. Secrets (password and
// key hashes, token hashes) are left out.
Result<picojson::object> ExportUserData(SQLite::Database& db, const std::string& user_id);

// Erases user_id's personal data and keeps the financial records (AML):
// the user row is marked deleted with its names, phone, birth date and email
// replaced, recipients' and merchant's details scrubbed, cards cancelled
// with their address, PIN and limits gone, consents,
// notifications, settings, events and idempotency records deleted, API
// keys revoked. Transactions stay, tied to the anonymised account.
Status EraseUserData(SQLite::Database& db, const std::string& user_id, int64_t now);

}  // namespace cairn::store
