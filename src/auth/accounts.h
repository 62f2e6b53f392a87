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

#include "auth/access.h"
#include "auth/account_rules.h"
#include "auth/audit.h"
#include "auth/password.h"
#include "auth/sessions.h"
#include "store/database.h"
#include "store/users.h"
#include "util/clock.h"
#include "util/status.h"

namespace cairn::auth {

// Five failed sign-ins within fifteen minutes lock an account for fifteen.
inline constexpr int kLockoutFailures = 5;
inline constexpr int64_t kLockoutWindowS = 15 * 60;
inline constexpr int64_t kLockoutS = 15 * 60;

class Accounts {
 public:
  Accounts(store::Database& db, PasswordHasher& hasher, Sessions& sessions, AuditLog& audit,
           const Clock& clock);
  Accounts(const Accounts&) = delete;
  Accounts& operator=(const Accounts&) = delete;

  // Creates a user with role "user". AlreadyExists (reason "conflict") when
  // the email is registered.
  Result<store::UserRow> Register(const NewAccount& account);
  // Creates a user with any role: an admin's POST /users, and `cairn user
  // create`. actor_id is the admin (empty for the command line).
  Result<store::UserRow> Create(const NewAccount& account, Role role, const std::string& actor_id);

  // Unauthenticated for a bad email/password pair; Validation for a password
  // over 128 bytes (refused before any hashing); reason "account_locked"
  // (423, with a retry-after) while the account is locked, even for the right
  // password.
  Result<TokenPair> Login(std::string_view email, std::string_view password,
                          const ClientInfo& client);

  // Applies the owner's own profile edit (names, phone).
  Result<store::UserRow> UpdateProfile(const Principal& who, const UserPatch& patch);

  // Checks the current password, sets the new one and ends every other
  // session. Validation: currentPassword "incorrect", newPassword failing the
  // policy or "unchanged".
  Status ChangePassword(const Principal& who, std::string_view current_password,
                        std::string_view new_password);

  // The caller's own, active user row; Unauthenticated if it is gone.
  Result<store::UserRow> Me(const Principal& who);

 private:
  store::Database& db_;
  PasswordHasher& hasher_;
  Sessions& sessions_;
  AuditLog& audit_;
  const Clock& clock_;
};

}  // namespace cairn::auth
