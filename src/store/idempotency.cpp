#include "store/idempotency.h"

#include <SQLiteCpp/Statement.h>

#include "store/database.h"

namespace cairn::store {

Result<IdempotencyRow> FindIdempotency(SQLite::Database& db, const std::string& user_id,
                                       const std::string& key, int64_t since) {
  try {
    Query q(db,
            "SELECT fingerprint, status, body, created_at FROM idempotency_keys "
            "WHERE user_id = ? AND key = ? AND created_at >= ?");
    q->bind(1, user_id);
    q->bind(2, key);
    q->bind(3, since);
    if (!q->executeStep()) return Status::NotFound("No such idempotency key");
    IdempotencyRow r;
    r.user_id = user_id;
    r.key = key;
    r.fingerprint = q->getColumn(0).getString();
    r.status = q->getColumn(1).getInt();
    r.body = q->getColumn(2).getString();
    r.created_at = q->getColumn(3).getInt64();
    return r;
  } catch (const std::exception& e) {
    return FromSqliteError(e, "find idempotency key");
  }
}

Status PutIdempotency(SQLite::Database& db, const IdempotencyRow& row) {
  try {
    Query q(db,
            "INSERT OR REPLACE INTO idempotency_keys (user_id, key, fingerprint, status, body, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?)");
    q->bind(1, row.user_id);
    q->bind(2, row.key);
    q->bind(3, row.fingerprint);
    q->bind(4, row.status);
    q->bind(5, row.body);
    q->bind(6, row.created_at);
    q->exec();
    return Status::Ok();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "put idempotency key");
  }
}

Result<int64_t> PurgeIdempotency(SQLite::Database& db, int64_t before) {
  try {
    SQLite::Statement q(db, "DELETE FROM idempotency_keys WHERE created_at < ?");
    q.bind(1, before);
    return static_cast<int64_t>(q.exec());
  } catch (const std::exception& e) {
    return FromSqliteError(e, "purge idempotency keys");
  }
}

}  // namespace cairn::store
