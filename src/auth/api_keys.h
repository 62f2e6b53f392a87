#pragma once

// API keys: long-lived credentials a user makes for programs (API.md §5).
//
// A key is "ck_" followed by 256 random bits in base64url; it is shown once,
// at creation, and only its SHA-256 is stored (a key has full entropy, so a
// fast hash is enough; a slow one would make every request pay for it). A
// key acts for its owner with the owner's current role, limited to its
// scopes; CheckAccess keeps it off admin routes and routes without a scope.
//
// Thread-safe: state is in the database.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "auth/access.h"
#include "auth/audit.h"
#include "store/api_keys.h"
#include "store/database.h"
#include "util/clock.h"
#include "util/status.h"

namespace cairn::auth {

// At most this many live keys per user.
inline constexpr int kMaxKeysPerUser = 50;
// last_used_at is kept to this resolution, in seconds.
inline constexpr int64_t kKeyUseResolutionS = 60;

struct NewApiKey {
  std::string name;
  std::vector<std::string> scopes;
  int64_t expires_at = 0;  // Unix seconds; 0: never
};

struct CreatedApiKey {
  store::ApiKeyRow row;
  std::string key;  // the only time it exists outside the caller's hands
};

class ApiKeys {
 public:
  ApiKeys(store::Database& db, const Clock& clock, AuditLog& audit);
  ApiKeys(const ApiKeys&) = delete;
  ApiKeys& operator=(const ApiKeys&) = delete;

  // Validation for a bad name, an unknown or missing scope, or an expiry in
  // the past; FailedPrecondition past kMaxKeysPerUser.
  Result<CreatedApiKey> Create(const Principal& who, const NewApiKey& spec);
  Result<std::vector<store::ApiKeyRow>> List(const Principal& who);
  // NotFound when the key is not the caller's (or already revoked).
  Status Revoke(const Principal& who, const std::string& id);

  // The principal an X-API-Key header stands for; Unauthenticated for an
  // unknown, revoked or expired key or a deleted owner.
  Result<Principal> Authenticate(std::string_view key) const;

 private:
  store::Database& db_;
  const Clock& clock_;
  AuditLog& audit_;
};

// Splits a stored scope list ("a b") into its scopes.
std::vector<std::string> SplitScopes(std::string_view scopes);

}  // namespace cairn::auth
