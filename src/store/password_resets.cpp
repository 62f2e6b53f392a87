#include "store/password_resets.h"

#include <SQLiteCpp/Statement.h>

#include "store/database.h"

namespace cairn::store {

Status InsertPasswordReset(SQLite::Database& db, const std::string& token_hash,
                           const std::string& user_id, int64_t now, int64_t expires_at) {
  try {
    SQLite::Statement retire(db,
                             "UPDATE password_resets SET used_at = ? WHERE user_id = ? AND "
                             "used_at IS NULL");
    retire.bind(1, now);
    retire.bind(2, user_id);
    retire.exec();
    SQLite::Statement q(db,
                        "INSERT INTO password_resets (token_hash, user_id, created_at, "
                        "expires_at) VALUES (?, ?, ?, ?)");
    q.bind(1, token_hash);
    q.bind(2, user_id);
    q.bind(3, now);
    q.bind(4, expires_at);
    q.exec();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "insert password reset");
  }
}

Result<std::string> PeekPasswordReset(SQLite::Database& db, const std::string& token_hash,
                                      int64_t now) {
  try {
    SQLite::Statement q(db,
                        "SELECT user_id FROM password_resets WHERE token_hash = ? AND used_at IS "
                        "NULL AND expires_at > ?");
    q.bind(1, token_hash);
    q.bind(2, now);
    if (!q.executeStep()) return Status::NotFound("No such reset token");
    return q.getColumn(0).getString();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "find password reset");
  }
}

Result<std::string> ConsumePasswordReset(SQLite::Database& db, const std::string& token_hash,
                                         int64_t now) {
  try {
    // The guard on used_at makes a second, concurrent use find nothing.
    SQLite::Statement q(db,
                        "UPDATE password_resets SET used_at = ? WHERE token_hash = ? AND "
                        "used_at IS NULL AND expires_at > ? RETURNING user_id");
    q.bind(1, now);
    q.bind(2, token_hash);
    q.bind(3, now);
    if (!q.executeStep()) return Status::NotFound("No such reset token");
    std::string user_id = q.getColumn(0).getString();
    while (q.executeStep()) {
    }
    return user_id;
  } catch (const std::exception& e) {
    return FromSqliteError(e, "consume password reset");
  }
}

}  // namespace cairn::store
