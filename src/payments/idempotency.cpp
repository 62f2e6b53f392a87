#include "payments/idempotency.h"

#include <sodium.h>

#include "store/idempotency.h"

namespace cairn::payments {

Result<std::optional<Reply>> Recall(SQLite::Database& conn, const std::string& user_id,
                                    const IdempotencyKey& key, int64_t now) {
  if (key.key.empty()) return std::optional<Reply>();
  Result<store::IdempotencyRow> row =
      store::FindIdempotency(conn, user_id, key.key, now - kIdempotencyTtlS);
  if (!row.ok()) {
    if (row.status().code() == Code::kNotFound) return std::optional<Reply>();
    return row.status();
  }
  if (row->fingerprint.size() != key.fingerprint.size() ||
      sodium_memcmp(row->fingerprint.data(), key.fingerprint.data(), key.fingerprint.size()) != 0) {
    return Status::Validation(
               "This Idempotency-Key was used for a different request; use a new key")
        .WithReason("idempotency_key_reused");
  }
  return std::optional<Reply>(Reply{row->status, row->body, true});
}

Result<int> PurgeExpiredKeys(store::Database& db, const Clock& clock) {
  auto lease = db.Acquire();
  if (!lease.ok()) return lease.status();
  Result<int64_t> n =
      store::PurgeIdempotency(**lease, UnixSeconds(clock.Now()) - kIdempotencyTtlS);
  if (!n.ok()) return n.status();
  return static_cast<int>(*n);
}

Status Remember(SQLite::Database& conn, const std::string& user_id, const IdempotencyKey& key,
                const Reply& reply, int64_t now) {
  if (key.key.empty()) return Status::Ok();
  store::IdempotencyRow row{user_id, key.key, key.fingerprint, reply.status, reply.body, now};
  return store::PutIdempotency(conn, row);
}

}  // namespace cairn::payments
