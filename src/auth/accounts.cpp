#include "auth/accounts.h"

#include "util/ids.h"
#include "util/log.h"

namespace cairn::auth {

namespace {

Status BadCredentials() { return Status::Unauthenticated("Invalid email or password"); }

Status Locked(int64_t seconds_left) {
  return Status::PermissionDenied("Too many failed sign-ins; the account is locked for now")
      .WithReason("account_locked")
      .WithRetryAfter(static_cast<int>(seconds_left));
}

}  // namespace

Accounts::Accounts(store::Database& db, PasswordHasher& hasher, Sessions& sessions, AuditLog& audit,
                   const Clock& clock)
    : db_(db), hasher_(hasher), sessions_(sessions), audit_(audit), clock_(clock) {}

Result<store::UserRow> Accounts::Register(const NewAccount& a) {
  return Create(a, Role::kUser, "");
}

Result<store::UserRow> Accounts::Create(const NewAccount& a, Role role,
                                        const std::string& actor_id) {
  Result<std::string> hash = hasher_.Hash(a.password);
  if (!hash.ok()) return hash.status();
  int64_t now = UnixSeconds(clock_.Now());
  store::UserRow u;
  u.id = NewId("usr");
  u.email = a.email;
  u.password_hash = std::move(hash.value());
  u.first_name = a.first_name;
  u.last_name = a.last_name;
  u.phone = a.phone;
  u.date_of_birth = a.date_of_birth;
  u.role = RoleName(role);
  u.created_at = now;
  u.updated_at = now;

  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  try {
    store::WriteTransaction tx(*lease.value());
    Status st = store::InsertUser(*lease.value(), u);
    if (st.code() == Code::kAlreadyExists) {
      return Status::AlreadyExists("Email already registered");
    }
    if (!st.ok()) return st;
    st = audit_.RecordIn(
        *lease.value(),
        {"user.created", actor_id.empty() ? u.id : actor_id, u.id, "", {{"role", u.role}}});
    if (!st.ok()) return st;
    tx.Commit();
  } catch (const std::exception& e) {
    return store::FromSqliteError(e, "create user");
  }
  log::Info("user_created").Str("userId", u.id).Str("role", u.role).Emit();
  return u;
}

Result<TokenPair> Accounts::Login(std::string_view email, std::string_view password,
                                  const ClientInfo& client) {
  if (password.size() > kMaxPasswordBytes) {
    return Status::Validation("Request validation failed",
                              {{"password", "Password must be at most 128 bytes", "too_long"}});
  }
  Result<store::UserRow> user = Status::NotFound("");
  {
    auto lease = db_.Acquire();
    if (!lease.ok()) return lease.status();
    user = store::FindUserByEmail(*lease.value(), NormaliseEmail(email));
  }
  if (!user.ok() && user.status().code() != Code::kNotFound) return user.status();
  if (!user.ok() || user->status != "active") {
    // The same work as a real check, and the same 503 when the hasher is busy.
    if (Status busy = hasher_.VerifyDummy(password); !busy.ok()) return busy;
    log::Info("login_failed").Str("reason", "unknown_email").Emit();
    audit_.Record({"login.failed", "", "", client.ip, {{"reason", "unknown_email"}}});
    return BadCredentials();
  }
  int64_t now = UnixSeconds(clock_.Now());
  if (user->locked_until > now) {
    // Even the right password is refused until the lock runs out.
    log::Info("login_failed").Str("userId", user->id).Str("reason", "locked").Emit();
    audit_.Record({"login.failed", "", user->id, client.ip, {{"reason", "locked"}}});
    return Locked(user->locked_until - now);
  }
  Result<bool> match = hasher_.Verify(user->password_hash, password);
  if (!match.ok()) return match.status();
  if (!match.value()) {
    log::Info("login_failed").Str("userId", user->id).Str("reason", "wrong_password").Emit();
    audit_.Record({"login.failed", "", user->id, client.ip, {{"reason", "wrong_password"}}});
    auto lease = db_.Acquire();
    if (!lease.ok()) return lease.status();
    Result<int64_t> locked = store::RecordLoginFailure(
        *lease.value(), user->id, now, kLockoutWindowS, kLockoutFailures, kLockoutS);
    if (!locked.ok()) return locked.status();
    if (locked.value() > now) {
      log::Warn("account_locked").Str("userId", user->id).Emit();
      audit_.Record({"account.locked", "", user->id, client.ip, {}}, &*lease.value());
      return Locked(locked.value() - now);
    }
    return BadCredentials();
  }
  {
    auto lease = db_.Acquire();
    if (!lease.ok()) return lease.status();
    Status st = store::ClearLoginFailures(*lease.value(), user->id);
    if (!st.ok()) return st;
  }

  if (hasher_.NeedsRehash(user->password_hash)) {
    // The parameters changed since this hash was made: upgrade it now that
    // the password is at hand. A failure here must not fail the login.
    Result<std::string> fresh = hasher_.Hash(password);
    auto lease = db_.Acquire();
    if (fresh.ok() && lease.ok()) {
      Status st =
          store::UpdatePasswordHash(*lease.value(), user->id, *fresh, UnixSeconds(clock_.Now()));
      if (st.ok()) user->password_hash = *fresh;
    }
  }
  Result<TokenPair> tokens = sessions_.Start(user.value(), client);
  if (!tokens.ok()) return tokens.status();
  log::Info("login").Str("userId", user->id).Str("sessionId", tokens->session_id).Emit();
  audit_.Record(
      {"login.succeeded", user->id, user->id, client.ip, {{"sessionId", tokens->session_id}}});
  return tokens;
}

Status Accounts::ChangePassword(const Principal& who, std::string_view current_password,
                                std::string_view new_password) {
  Status policy = CheckPasswordPolicy(new_password, "newPassword");
  if (!policy.ok()) return policy;
  if (current_password.size() > kMaxPasswordBytes) {
    return Status::Validation("Request validation failed",
                              {{"currentPassword", "Current password is incorrect", "incorrect"}});
  }
  Result<store::UserRow> user = Me(who);
  if (!user.ok()) return user.status();
  Result<bool> match = hasher_.Verify(user->password_hash, current_password);
  if (!match.ok()) return match.status();
  if (!match.value()) {
    log::Info("password_change_failed").Str("userId", who.user_id).Emit();
    return Status::Validation("Request validation failed",
                              {{"currentPassword", "Current password is incorrect", "incorrect"}});
  }
  if (current_password == new_password) {
    return Status::Validation(
        "Request validation failed",
        {{"newPassword", "The new password must differ from the current one", "unchanged"}});
  }
  Result<std::string> hash = hasher_.Hash(new_password);
  if (!hash.ok()) return hash.status();
  {
    auto lease = db_.Acquire();
    if (!lease.ok()) return lease.status();
    Status st =
        store::UpdatePasswordHash(*lease.value(), who.user_id, *hash, UnixSeconds(clock_.Now()));
    if (!st.ok()) return st;
  }
  log::Info("password_changed").Str("userId", who.user_id).Emit();
  audit_.Record({"password.changed", who.user_id, who.user_id, "", {}});
  return sessions_.RevokeUser(who.user_id, "password_changed", who.session_id);
}

Result<store::UserRow> Accounts::Me(const Principal& who) {
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  Result<store::UserRow> user = store::FindUserById(*lease.value(), who.user_id);
  if (!user.ok() && user.status().code() == Code::kNotFound) {
    return Status::Unauthenticated("The account no longer exists");
  }
  if (user.ok() && user->status != "active") {
    return Status::Unauthenticated("The account no longer exists");
  }
  return user;
}

Result<store::UserRow> Accounts::UpdateProfile(const Principal& who, const UserPatch& patch) {
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  try {
    store::WriteTransaction tx(*lease.value());
    Result<store::UserRow> user = store::FindUserById(*lease.value(), who.user_id);
    if (!user.ok() || user->status != "active") {
      return Status::Unauthenticated("The account no longer exists");
    }
    if (patch.first_name) user->first_name = *patch.first_name;
    if (patch.last_name) user->last_name = *patch.last_name;
    if (patch.phone) user->phone = *patch.phone;
    user->updated_at = UnixSeconds(clock_.Now());
    Status st = store::UpdateUser(*lease.value(), user.value());
    if (!st.ok()) return st;
    tx.Commit();
    return user;
  } catch (const std::exception& e) {
    return store::FromSqliteError(e, "update profile");
  }
}

}  // namespace cairn::auth
