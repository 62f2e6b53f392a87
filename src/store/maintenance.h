#pragma once

// Operations on the whole database file: integrity check and online backup.

#include <SQLiteCpp/Database.h>

#include <string>
#include <vector>

#include "util/status.h"

namespace cairn::store {

// PRAGMA integrity_check and foreign_key_check. OK with an empty list when the
// file is sound; otherwise the problems SQLite reported (at most 100).
Result<std::vector<std::string>> CheckIntegrity(SQLite::Database& db);

// Writes a consistent copy of the database to out_path while other
// connections keep writing (VACUUM INTO runs in one read transaction, so the
// copy is a single snapshot). The copy is written (mode 0600) beside out_path
// under a temporary name, checked, and linked into place, so out_path is
// either absent or complete. AlreadyExists if out_path exists, even if it
// appears while the copy is being made.
Status Backup(SQLite::Database& db, const std::string& out_path);

// The instance row of 0001_init.sql.
struct InstanceInfo {
  std::string instance_id;
  std::string created_at;
};
Result<InstanceInfo> ReadInstance(SQLite::Database& db);

}  // namespace cairn::store
