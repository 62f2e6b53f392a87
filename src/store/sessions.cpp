#include "store/sessions.h"

#include <SQLiteCpp/Statement.h>

#include "store/database.h"

namespace cairn::store {

namespace {

void BindText(SQLite::Statement& q, int i, const std::string& s) {
  if (s.empty()) {
    q.bind(i);
  } else {
    q.bind(i, s);
  }
}

}  // namespace

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
    BindText(ins, 5, s.user_agent);
    BindText(ins, 6, s.ip);
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

}  // namespace cairn::store
