#pragma once

// Idempotency-Key records (idempotency_keys): per user and key, the
// fingerprint of the request and the response it got.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <string>

#include "util/status.h"

namespace cairn::store {

struct IdempotencyRow {
  std::string user_id;
  std::string key;
  std::string fingerprint;
  int status = 0;
  std::string body;
  int64_t created_at = 0;
};

// The record for (user_id, key) made at or after `since`; NotFound if none.
Result<IdempotencyRow> FindIdempotency(SQLite::Database& db, const std::string& user_id,
                                       const std::string& key, int64_t since);
// Writes the record, replacing an expired one for the same key.
Status PutIdempotency(SQLite::Database& db, const IdempotencyRow& row);
// Deletes records made before `before`; returns how many.
Result<int64_t> PurgeIdempotency(SQLite::Database& db, int64_t before);

}  // namespace cairn::store
