#pragma once

// The sessions and refresh_tokens tables. Queries only: rotation and reuse
// rules live in src/auth.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <string>
#include <vector>

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

// A refresh token's row with its session's state.
struct RefreshTokenRow {
  std::string session_id;
  std::string user_id;
  int64_t issued_at = 0;
  int64_t expires_at = 0;
  int64_t rotated_at = 0;          // 0: current
  int64_t session_revoked_at = 0;  // 0: live
};
// NotFound when no token has this hash.
Result<RefreshTokenRow> FindRefreshToken(SQLite::Database& db, const std::string& token_hash);

// Adds a refresh token to a live session and touches the session; when
// rotated_hash is not empty, marks that token rotated in the same
// transaction. FailedPrecondition if the session was revoked or the old token
// was rotated meanwhile (another request won the race).
Status AddRefreshToken(SQLite::Database& db, const std::string& session_id,
                       const std::string& rotated_hash, const std::string& new_hash, int64_t now,
                       int64_t expires_at);

// Revokes one session (no-op if already revoked). NotFound if it is not
// user_id's.
Status RevokeSession(SQLite::Database& db, const std::string& user_id,
                     const std::string& session_id, int64_t now, const std::string& reason);
// Revokes every live session of user_id but `except` (when not empty);
// returns their ids.
Result<std::vector<std::string>> RevokeUserSessions(SQLite::Database& db,
                                                    const std::string& user_id, int64_t now,
                                                    const std::string& reason,
                                                    const std::string& except = "");
// Sessions revoked at or after `since`: those whose access tokens may still
// be unexpired.
Result<std::vector<std::string>> RevokedSince(SQLite::Database& db, int64_t since);
// The user's live sessions, newest first.
Result<std::vector<SessionRow>> ListLiveSessions(SQLite::Database& db, const std::string& user_id);

}  // namespace cairn::store
