#include "auth/accounts.h"

#include <sodium.h>

#include "auth/jwt.h"
#include "store/sessions.h"
#include "util/base64url.h"
#include "util/ids.h"
#include "util/log.h"

namespace cairn::auth {

namespace {

Status BadCredentials() { return Status::Unauthenticated("Invalid email or password"); }

std::string RandomToken() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  std::string token = Base64UrlEncode(std::string_view(reinterpret_cast<char*>(bytes), sizeof bytes));
  sodium_memzero(bytes, sizeof bytes);
  return token;
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

Accounts::Accounts(store::Database& db, PasswordHasher& hasher, const Clock& clock,
                   AuthOptions opts)
    : db_(db), hasher_(hasher), clock_(clock), opts_(std::move(opts)) {}

Result<store::UserRow> Accounts::Register(const NewAccount& a) {
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
  u.created_at = now;
  u.updated_at = now;

  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  Status st = store::InsertUser(*lease.value(), u);
  if (st.code() == Code::kAlreadyExists) {
    return Status::AlreadyExists("Email already registered");
  }
  if (!st.ok()) return st;
  log::Info("user_registered").Str("userId", u.id).Emit();
  return u;
}

Result<LoginResult> Accounts::Login(std::string_view email, std::string_view password,
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
    hasher_.VerifyDummy(password);  // the same work as a real check
    log::Info("login_failed").Str("reason", "unknown_email").Emit();
    return BadCredentials();
  }
  Result<bool> match = hasher_.Verify(user->password_hash, password);
  if (!match.ok()) return match.status();
  if (!match.value()) {
    log::Info("login_failed").Str("userId", user->id).Str("reason", "wrong_password").Emit();
    return BadCredentials();
  }

  int64_t now = UnixSeconds(clock_.Now());
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  if (hasher_.NeedsRehash(user->password_hash)) {
    // The parameters changed since this hash was made: upgrade it now that
    // the password is at hand. A failure here must not fail the login.
    Result<std::string> fresh = hasher_.Hash(password);
    if (fresh.ok() && store::UpdatePasswordHash(*lease.value(), user->id, *fresh, now).ok()) {
      user->password_hash = *fresh;
    }
  }

  LoginResult out;
  out.refresh_token = RandomToken();
  store::SessionRow session;
  session.id = NewId("ses");
  session.user_id = user->id;
  session.created_at = now;
  session.last_used_at = now;
  session.user_agent = client.user_agent.substr(0, 256);
  session.ip = client.ip;
  Status st = store::InsertSession(*lease.value(), session, Sha256Hex(out.refresh_token),
                                   now + opts_.refresh_ttl_s);
  if (!st.ok()) return st;

  AccessClaims claims;
  claims.sub = user->id;
  claims.email = user->email;
  claims.role = user->role;
  claims.sid = session.id;
  claims.iss = opts_.issuer;
  claims.jti = NewId("jti");
  claims.iat = now;
  claims.exp = now + opts_.access_ttl_s;
  out.access_token = SignToken(claims, opts_.signing_key);
  out.expires_in = opts_.access_ttl_s;
  out.session_id = session.id;
  out.user = std::move(user.value());
  log::Info("login").Str("userId", out.user.id).Str("sessionId", session.id).Emit();
  return out;
}

Result<Principal> Accounts::Authenticate(std::string_view token) const {
  Result<AccessClaims> claims =
      VerifyToken(token, opts_.signing_key, opts_.issuer, UnixSeconds(clock_.Now()));
  if (!claims.ok()) return claims.status();
  return Principal{claims->sub, claims->email, claims->role, claims->sid};
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

}  // namespace cairn::auth
