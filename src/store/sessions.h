#pragma once

// The sessions and refresh_tokens tables. Queries only: rotation and reuse
// rules live in src/auth.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <string>

#include "util/status.h"

namespace cairn::store {

struct SessionRow {
  std::string id;
  std::string user_id;
  int64_t created_at = 0;
  int64_t last_used_at = 0;
  int64_t revoked_at = 0;  // 0: live
  std::string user_agent;
  std::string ip;
};

// Inserts a session and its first refresh token (by hash) in one transaction.
Status InsertSession(SQLite::Database& db, const SessionRow& session, const std::string& token_hash,
                     int64_t token_expires_at);

Result<SessionRow> FindSession(SQLite::Database& db, const std::string& id);

}  // namespace cairn::store
