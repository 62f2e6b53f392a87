#pragma once

// Accounts: registration, login and bearer authentication.
//
// Login answers the same "Invalid email or password" after the same amount
// of hashing work for an unknown email, a deleted account and a wrong
// password, so neither the answer nor its timing tells which. Password
// hashing goes through the shared PasswordHasher, whose bounded concurrency
// keeps a login storm from taking every worker or unbounded memory.
//
// Thread-safe: state is in the database; the hasher and clock are shared.

#include <cstdint>
#include <string>
#include <string_view>

#include "auth/account_rules.h"
#include "auth/password.h"
#include "store/database.h"
#include "store/users.h"
#include "util/clock.h"
#include "util/status.h"

namespace cairn::auth {

// The caller of an authenticated request.
struct Principal {
  std::string user_id;
  std::string email;
  std::string role;
  std::string session_id;
};

struct AuthOptions {
  std::string signing_key;  // at least 32 bytes
  std::string issuer = "cairn";
  int64_t access_ttl_s = 15 * 60;
  int64_t refresh_ttl_s = 30 * 24 * 3600;
};

// Where a login came from, kept on its session.
struct ClientInfo {
  std::string user_agent;
  std::string ip;
};

struct LoginResult {
  std::string access_token;
  std::string refresh_token;  // 256 random bits, base64url; stored only as a hash
  int64_t expires_in = 0;     // seconds until the access token expires
  std::string session_id;
  store::UserRow user;
};

class Accounts {
 public:
  Accounts(store::Database& db, PasswordHasher& hasher, const Clock& clock, AuthOptions opts);
  Accounts(const Accounts&) = delete;
  Accounts& operator=(const Accounts&) = delete;

  // Creates a user with role "user". AlreadyExists (reason "conflict") when
  // the email is registered.
  Result<store::UserRow> Register(const NewAccount& account);

  // Unauthenticated for a bad email/password pair; Validation for a password
  // over 128 bytes (refused before any hashing).
  Result<LoginResult> Login(std::string_view email, std::string_view password,
                            const ClientInfo& client);

  // Checks a bearer access token.
  Result<Principal> Authenticate(std::string_view token) const;

  // The caller's own, active user row; Unauthenticated if it is gone.
  Result<store::UserRow> Me(const Principal& who);

 private:
  store::Database& db_;
  PasswordHasher& hasher_;
  const Clock& clock_;
  const AuthOptions opts_;
};

// Lowercase hex SHA-256, as refresh tokens are stored.
std::string Sha256Hex(std::string_view data);

}  // namespace cairn::auth
