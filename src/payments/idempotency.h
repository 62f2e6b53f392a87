#pragma once

// Idempotency-Key (API.md §9): a money-moving POST sent twice with the same
// key runs once. The record is read and written inside the operation's own
// write transaction, so two concurrent requests with one key serialise on
// SQLite's write lock: the second finds the first's record and replays it.
//
// Keys are per user and kept for kIdempotencyTtlS. The fingerprint ties a
// key to one request (method, path and body): the same key with another
// request is refused (422 idempotency_key_reused) rather than replayed.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <optional>
#include <string>

#include "store/database.h"
#include "util/clock.h"
#include "util/status.h"

namespace cairn::payments {

inline constexpr int64_t kIdempotencyTtlS = 24 * 3600;

struct IdempotencyKey {
  std::string key;          // empty: the client sent none
  std::string fingerprint;  // hex SHA-256 of the request
};

// A response as it was sent (the HTTP status and body are opaque here).
struct Reply {
  int status = 0;
  std::string body;
  bool replayed = false;  // true when read back from a record
};

// The stored reply for the key, or nullopt when the key is new (or empty).
// Validation (reason idempotency_key_reused) when the key was used for
// another request. Call inside the operation's write transaction.
Result<std::optional<Reply>> Recall(SQLite::Database& conn, const std::string& user_id,
                                    const IdempotencyKey& key, int64_t now);

// Records the reply for the key (nothing for an empty key), in the same
// transaction as the operation.
Status Remember(SQLite::Database& conn, const std::string& user_id, const IdempotencyKey& key,
                const Reply& reply, int64_t now);

// Deletes records past kIdempotencyTtlS (they are ignored already); returns
// how many. Run now and then by a worker so the table stays small.
Result<int> PurgeExpiredKeys(store::Database& db, const Clock& clock);

}  // namespace cairn::payments
