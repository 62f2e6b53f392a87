#pragma once

// Sessions: what a login starts, a refresh token continues and a logout
// ends, and the check of every bearer token against them.
//
// Refresh tokens rotate on every use. A rotated token presented again within
// the grace (two tabs refreshing at once) gets a fresh pair for the same
// session; after the grace it is taken as stolen: the whole session is
// revoked and the answer is 401 with details.reason "token_reused".
//
// Thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "auth/access.h"
#include "auth/audit.h"
#include "auth/revocations.h"
#include "store/database.h"
#include "store/sessions.h"
#include "store/users.h"
#include "util/clock.h"
#include "util/status.h"

namespace cairn::auth {

struct AuthOptions {
  std::string signing_key;  // at least 32 bytes
  std::string issuer = "cairn";
  int64_t access_ttl_s = 15 * 60;
  int64_t refresh_ttl_s = 30 * 24 * 3600;
  int64_t refresh_reuse_grace_s = 10;
};

// Where a login came from, kept on its session.
struct ClientInfo {
  std::string user_agent;
  std::string ip;
};

// What login and refresh hand out.
struct TokenPair {
  std::string access_token;
  std::string refresh_token;  // 256 random bits, base64url; stored only as a hash
  int64_t expires_in = 0;     // seconds until the access token expires
  std::string session_id;
  store::UserRow user;
};

class Sessions {
 public:
  Sessions(store::Database& db, const Clock& clock, AuditLog& audit, AuthOptions opts);
  Sessions(const Sessions&) = delete;
  Sessions& operator=(const Sessions&) = delete;

  // Loads the revocations whose access tokens may still be unexpired.
  Status LoadRevocations();

  // A new session for a user who has just proved who they are.
  Result<TokenPair> Start(const store::UserRow& user, const ClientInfo& client);

  // Exchanges a refresh token for a new pair. Unauthenticated for an
  // unknown, expired or revoked token; reason "token_reused" when a rotated
  // token is replayed after the grace (the session is then revoked).
  Result<TokenPair> Refresh(std::string_view refresh_token);

  // Ends the caller's session, or all of the user's sessions.
  Status Logout(const Principal& who, bool all);
  // Ends every session of a user but `except` (when not empty): after a
  // password change or reset, a deletion or a change of role.
  Status RevokeUser(const std::string& user_id, const std::string& reason,
                    const std::string& except = "");
  // Ends one of the caller's sessions; NotFound if it is not theirs.
  Status Revoke(const Principal& who, const std::string& session_id);
  Result<std::vector<store::SessionRow>> List(const Principal& who);

  // Checks a bearer access token: signature, claims and revocation.
  Result<Principal> Authenticate(std::string_view token) const;

  const AuthOptions& options() const { return opts_; }

 private:
  Result<TokenPair> Issue(const store::UserRow& user, const std::string& session_id, int64_t now,
                          std::string refresh_token);
  void MarkRevoked(const std::vector<std::string>& ids, int64_t now);

  store::Database& db_;
  const Clock& clock_;
  AuditLog& audit_;
  const AuthOptions opts_;
  RevocationSet revoked_;
};

}  // namespace cairn::auth
