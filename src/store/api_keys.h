#pragma once

// The api_keys table. Queries only: the rules live in src/auth/api_keys.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <string>
#include <vector>

#include "util/status.h"

namespace cairn::store {

struct ApiKeyRow {
  std::string id;
  std::string user_id;
  std::string name;
  std::string key_hash;
  std::string key_prefix;
  std::string scopes;  // space-separated
  int64_t created_at = 0;
  int64_t expires_at = 0;    // 0: never
  int64_t last_used_at = 0;  // 0: never used
  int64_t revoked_at = 0;    // 0: live
};

// A key found by its hash, with what its owner is now.
struct ApiKeyOwner {
  ApiKeyRow key;
  std::string email;
  std::string role;
  std::string status;  // the owner's: "active" or "deleted"
};

Status InsertApiKey(SQLite::Database& db, const ApiKeyRow& key);
// NotFound when no key has this hash.
Result<ApiKeyOwner> FindApiKeyByHash(SQLite::Database& db, const std::string& key_hash);
// The user's unrevoked keys, newest first.
Result<std::vector<ApiKeyRow>> ListApiKeys(SQLite::Database& db, const std::string& user_id);
// How many unrevoked, unexpired keys the user has.
Result<int> CountLiveApiKeys(SQLite::Database& db, const std::string& user_id, int64_t now);
// NotFound unless the key is user_id's and not yet revoked.
Status RevokeApiKey(SQLite::Database& db, const std::string& user_id, const std::string& id,
                    int64_t now);
// Revokes every key of a user (account deletion).
Status RevokeUserApiKeys(SQLite::Database& db, const std::string& user_id, int64_t now);
// Records a use, at most once per `resolution_s` per key, so that a busy
// key does not turn every request into a write.
Status TouchApiKey(SQLite::Database& db, const std::string& id, int64_t now, int64_t resolution_s);

}  // namespace cairn::store
