#include "store/api_keys.h"

#include <SQLiteCpp/Statement.h>

#include "store/database.h"

namespace cairn::store {

namespace {

constexpr char kColumns[] =
    "k.id, k.user_id, k.name, k.key_hash, k.key_prefix, k.scopes, k.created_at, "
    "coalesce(k.expires_at, 0), coalesce(k.last_used_at, 0), coalesce(k.revoked_at, 0)";

ApiKeyRow ReadRow(SQLite::Statement& q) {
  ApiKeyRow k;
  k.id = q.getColumn(0).getString();
  k.user_id = q.getColumn(1).getString();
  k.name = q.getColumn(2).getString();
  k.key_hash = q.getColumn(3).getString();
  k.key_prefix = q.getColumn(4).getString();
  k.scopes = q.getColumn(5).getString();
  k.created_at = q.getColumn(6).getInt64();
  k.expires_at = q.getColumn(7).getInt64();
  k.last_used_at = q.getColumn(8).getInt64();
  k.revoked_at = q.getColumn(9).getInt64();
  return k;
}

}  // namespace

Status InsertApiKey(SQLite::Database& db, const ApiKeyRow& k) {
  try {
    SQLite::Statement q(db,
                        "INSERT INTO api_keys (id, user_id, name, key_hash, key_prefix, scopes, "
                        "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, k.id);
    q.bind(2, k.user_id);
    q.bind(3, k.name);
    q.bind(4, k.key_hash);
    q.bind(5, k.key_prefix);
    q.bind(6, k.scopes);
    q.bind(7, k.created_at);
    BindOrNull(q, 8, k.expires_at);
    q.exec();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "insert api key");
  }
}

Result<ApiKeyOwner> FindApiKeyByHash(SQLite::Database& db, const std::string& key_hash) {
  try {
    Query q(db, std::string("SELECT ") + kColumns +
                    ", u.email, u.role, u.status FROM api_keys k JOIN users u ON u.id = "
                    "k.user_id WHERE k.key_hash = ?");
    q->bind(1, key_hash);
    if (!q->executeStep()) return Status::NotFound("No such key");
    ApiKeyOwner out;
    out.key = ReadRow(*q);
    out.email = q->getColumn(10).getString();
    out.role = q->getColumn(11).getString();
    out.status = q->getColumn(12).getString();
    return out;
  } catch (const std::exception& e) {
    return FromSqliteError(e, "find api key");
  }
}

Result<std::vector<ApiKeyRow>> ListApiKeys(SQLite::Database& db, const std::string& user_id) {
  try {
    SQLite::Statement q(db, std::string("SELECT ") + kColumns +
                                " FROM api_keys k WHERE k.user_id = ? AND k.revoked_at IS NULL "
                                "ORDER BY k.created_at DESC, k.id DESC");
    q.bind(1, user_id);
    std::vector<ApiKeyRow> out;
    while (q.executeStep()) out.push_back(ReadRow(q));
    return out;
  } catch (const std::exception& e) {
    return FromSqliteError(e, "list api keys");
  }
}

Result<int> CountLiveApiKeys(SQLite::Database& db, const std::string& user_id, int64_t now) {
  try {
    SQLite::Statement q(db,
                        "SELECT count(*) FROM api_keys WHERE user_id = ? AND revoked_at IS NULL "
                        "AND (expires_at IS NULL OR expires_at > ?)");
    q.bind(1, user_id);
    q.bind(2, now);
    q.executeStep();
    return q.getColumn(0).getInt();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "count api keys");
  }
}

Status RevokeApiKey(SQLite::Database& db, const std::string& user_id, const std::string& id,
                    int64_t now) {
  try {
    SQLite::Statement q(db,
                        "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND user_id = ? AND "
                        "revoked_at IS NULL");
    q.bind(1, now);
    q.bind(2, id);
    q.bind(3, user_id);
    if (q.exec() == 0) return Status::NotFound("No such API key");
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "revoke api key");
  }
}

Status RevokeUserApiKeys(SQLite::Database& db, const std::string& user_id, int64_t now) {
  try {
    SQLite::Statement q(db,
                        "UPDATE api_keys SET revoked_at = ? WHERE user_id = ? AND revoked_at IS "
                        "NULL");
    q.bind(1, now);
    q.bind(2, user_id);
    q.exec();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "revoke user api keys");
  }
}

Status TouchApiKey(SQLite::Database& db, const std::string& id, int64_t now, int64_t resolution_s) {
  try {
    SQLite::Statement q(db,
                        "UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS "
                        "NULL OR last_used_at <= ?)");
    q.bind(1, now);
    q.bind(2, id);
    q.bind(3, now - resolution_s);
    q.exec();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "touch api key");
  }
}

}  // namespace cairn::store
