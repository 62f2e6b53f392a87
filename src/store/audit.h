#pragma once

// The audit_log table: append and read. What gets recorded is decided in
// src/auth/audit.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <string>
#include <vector>

#include "store/list_query.h"
#include "util/status.h"

namespace cairn::store {

struct AuditRow {
  std::string id;
  int64_t created_at = 0;
  std::string action;
  std::string actor_id;   // empty: anonymous
  std::string target_id;  // empty: none
  std::string ip;
  std::string details;  // a JSON object, or empty
};

// Appends one event. Callers inside a WriteTransaction make it part of the
// change it records.
Status InsertAudit(SQLite::Database& db, const AuditRow& row);

// Filters for ListAudit; empty members do not filter.
struct AuditFilter {
  std::string action;
  std::string actor_id;
  std::string target_id;
};
Result<std::vector<AuditRow>> ListAudit(SQLite::Database& db, const AuditFilter& filter,
                                        const ListSpec& spec, ListResult* result);

// The whitelist of sortable fields, API name to column.
const std::vector<SortColumn>& AuditSortColumns();

}  // namespace cairn::store
