#include "store/sessions.h"

#include <SQLiteCpp/Statement.h>

#include "store/database.h"

namespace cairn::store {

Status InsertSession(SQLite::Database& db, const SessionRow& s, const std::string& token_hash,
                     int64_t token_expires_at) {
  try {
    WriteTransaction tx(db);
    SQLite::Statement ins(db,
                          "INSERT INTO sessions (id, user_id, created_at, last_used_at, "
                          "user_agent, ip) VALUES (?, ?, ?, ?, ?, ?)");
    ins.bind(1, s.id);
    ins.bind(2, s.user_id);
    ins.bind(3, s.created_at);
    ins.bind(4, s.last_used_at);
    BindOrNull(ins, 5, s.user_agent);
    BindOrNull(ins, 6, s.ip);
    ins.exec();
    SQLite::Statement tok(db,
                          "INSERT INTO refresh_tokens (token_hash, session_id, issued_at, "
                          "expires_at) VALUES (?, ?, ?, ?)");
    tok.bind(1, token_hash);
    tok.bind(2, s.id);
    tok.bind(3, s.created_at);
    tok.bind(4, token_expires_at);
    tok.exec();
    tx.Commit();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "insert session");
  }
}

Result<SessionRow> FindSession(SQLite::Database& db, const std::string& id) {
  try {
    SQLite::Statement q(db,
                        "SELECT id, user_id, created_at, last_used_at, revoked_at, user_agent, ip "
                        "FROM sessions WHERE id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return Status::NotFound("No such session");
    SessionRow s;
    s.id = q.getColumn(0).getString();
    s.user_id = q.getColumn(1).getString();
    s.created_at = q.getColumn(2).getInt64();
    s.last_used_at = q.getColumn(3).getInt64();
    s.revoked_at = q.getColumn(4).isNull() ? 0 : q.getColumn(4).getInt64();
    s.user_agent = q.getColumn(5).isNull() ? "" : q.getColumn(5).getString();
    s.ip = q.getColumn(6).isNull() ? "" : q.getColumn(6).getString();
    return s;
  } catch (const std::exception& e) {
    return FromSqliteError(e, "find session");
  }
}

Result<RefreshTokenRow> FindRefreshToken(SQLite::Database& db, const std::string& token_hash) {
  try {
    SQLite::Statement q(db,
                        "SELECT t.session_id, s.user_id, t.issued_at, t.expires_at, t.rotated_at, "
                        "s.revoked_at FROM refresh_tokens t JOIN sessions s ON s.id = "
                        "t.session_id WHERE t.token_hash = ?");
    q.bind(1, token_hash);
    if (!q.executeStep()) return Status::NotFound("No such refresh token");
    RefreshTokenRow r;
    r.session_id = q.getColumn(0).getString();
    r.user_id = q.getColumn(1).getString();
    r.issued_at = q.getColumn(2).getInt64();
    r.expires_at = q.getColumn(3).getInt64();
    r.rotated_at = q.getColumn(4).isNull() ? 0 : q.getColumn(4).getInt64();
    r.session_revoked_at = q.getColumn(5).isNull() ? 0 : q.getColumn(5).getInt64();
    return r;
  } catch (const std::exception& e) {
    return FromSqliteError(e, "find refresh token");
  }
}

Status AddRefreshToken(SQLite::Database& db, const std::string& session_id,
                       const std::string& rotated_hash, const std::string& new_hash, int64_t now,
                       int64_t expires_at) {
  try {
    WriteTransaction tx(db);
    SQLite::Statement touch(db,
                            "UPDATE sessions SET last_used_at = ? WHERE id = ? AND revoked_at IS "
                            "NULL");
    touch.bind(1, now);
    touch.bind(2, session_id);
    if (touch.exec() == 0) return Status::FailedPrecondition("The session has been revoked");
    if (!rotated_hash.empty()) {
      SQLite::Statement rot(db,
                            "UPDATE refresh_tokens SET rotated_at = ? WHERE token_hash = ? AND "
                            "rotated_at IS NULL");
      rot.bind(1, now);
      rot.bind(2, rotated_hash);
      if (rot.exec() == 0) return Status::FailedPrecondition("The token was already used");
    }
    SQLite::Statement ins(db,
                          "INSERT INTO refresh_tokens (token_hash, session_id, issued_at, "
                          "expires_at) VALUES (?, ?, ?, ?)");
    ins.bind(1, new_hash);
    ins.bind(2, session_id);
    ins.bind(3, now);
    ins.bind(4, expires_at);
    ins.exec();
    tx.Commit();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "add refresh token");
  }
}

Status RevokeSession(SQLite::Database& db, const std::string& user_id,
                     const std::string& session_id, int64_t now, const std::string& reason) {
  try {
    SQLite::Statement q(
        db,
        "UPDATE sessions SET revoked_at = coalesce(revoked_at, ?), "
        "revoked_reason = coalesce(revoked_reason, ?) WHERE id = ? AND user_id = ?");
    q.bind(1, now);
    q.bind(2, reason);
    q.bind(3, session_id);
    q.bind(4, user_id);
    if (q.exec() == 0) return Status::NotFound("No such session");
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "revoke session");
  }
}

Result<std::vector<std::string>> RevokeUserSessions(SQLite::Database& db,
                                                    const std::string& user_id, int64_t now,
                                                    const std::string& reason,
                                                    const std::string& except) {
  try {
    WriteTransaction tx(db);
    std::vector<std::string> ids;
    SQLite::Statement sel(db,
                          "SELECT id FROM sessions WHERE user_id = ? AND revoked_at IS NULL AND "
                          "id != ?");
    sel.bind(1, user_id);
    sel.bind(2, except);
    while (sel.executeStep()) ids.push_back(sel.getColumn(0).getString());
    SQLite::Statement upd(
        db,
        "UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE user_id = ? "
        "AND revoked_at IS NULL AND id != ?");
    upd.bind(1, now);
    upd.bind(2, reason);
    upd.bind(3, user_id);
    upd.bind(4, except);
    upd.exec();
    tx.Commit();
    return ids;
  } catch (const std::exception& e) {
    return FromSqliteError(e, "revoke user sessions");
  }
}

Result<std::vector<std::string>> RevokedSince(SQLite::Database& db, int64_t since) {
  try {
    std::vector<std::string> ids;
    SQLite::Statement q(db, "SELECT id FROM sessions WHERE revoked_at >= ?");
    q.bind(1, since);
    while (q.executeStep()) ids.push_back(q.getColumn(0).getString());
    return ids;
  } catch (const std::exception& e) {
    return FromSqliteError(e, "list revoked sessions");
  }
}

Result<std::vector<SessionRow>> ListLiveSessions(SQLite::Database& db, const std::string& user_id) {
  try {
    std::vector<SessionRow> out;
    SQLite::Statement q(
        db,
        "SELECT id, user_id, created_at, last_used_at, user_agent, ip FROM sessions "
        "WHERE user_id = ? AND revoked_at IS NULL ORDER BY created_at DESC, id");
    q.bind(1, user_id);
    while (q.executeStep()) {
      SessionRow s;
      s.id = q.getColumn(0).getString();
      s.user_id = q.getColumn(1).getString();
      s.created_at = q.getColumn(2).getInt64();
      s.last_used_at = q.getColumn(3).getInt64();
      s.user_agent = q.getColumn(4).isNull() ? "" : q.getColumn(4).getString();
      s.ip = q.getColumn(5).isNull() ? "" : q.getColumn(5).getString();
      out.push_back(std::move(s));
    }
    return out;
  } catch (const std::exception& e) {
    return FromSqliteError(e, "list sessions");
  }
}

}  // namespace cairn::store
