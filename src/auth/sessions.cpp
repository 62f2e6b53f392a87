#include "auth/sessions.h"

#include <sodium.h>

#include "auth/jwt.h"
#include "util/digest.h"
#include "util/ids.h"
#include "util/log.h"

namespace cairn::auth {

namespace {

Status InvalidRefresh() { return Status::Unauthenticated("Invalid or expired refresh token"); }

}  // namespace

Sessions::Sessions(store::Database& db, const Clock& clock, AuditLog& audit, AuthOptions opts)
    : db_(db), clock_(clock), audit_(audit), opts_(std::move(opts)) {}

Status Sessions::LoadRevocations() {
  int64_t now = UnixSeconds(clock_.Now());
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  // Tokens are valid access_ttl after issue, and issued at most at revocation
  // time (plus the clock skew VerifyToken allows).
  Result<std::vector<std::string>> ids =
      store::RevokedSince(*lease.value(), now - opts_.access_ttl_s - 120);
  if (!ids.ok()) return ids.status();
  MarkRevoked(ids.value(), now);
  return Status::Ok();
}

void Sessions::MarkRevoked(const std::vector<std::string>& ids, int64_t now) {
  for (const std::string& id : ids) revoked_.Add(id, now + opts_.access_ttl_s + 120, now);
}

Result<TokenPair> Sessions::Issue(const store::UserRow& user, const std::string& session_id,
                                  int64_t now, std::string refresh_token) {
  AccessClaims claims;
  claims.sub = user.id;
  claims.email = user.email;
  claims.role = user.role;
  claims.sid = session_id;
  claims.iss = opts_.issuer;
  claims.jti = NewId("jti");
  claims.iat = now;
  claims.exp = now + opts_.access_ttl_s;
  TokenPair out;
  out.access_token = SignToken(claims, opts_.signing_key);
  out.refresh_token = std::move(refresh_token);
  out.expires_in = opts_.access_ttl_s;
  out.session_id = session_id;
  out.user = user;
  return out;
}

Result<TokenPair> Sessions::Start(const store::UserRow& user, const ClientInfo& client) {
  int64_t now = UnixSeconds(clock_.Now());
  std::string refresh = RandomToken();
  store::SessionRow session;
  session.id = NewId("ses");
  session.user_id = user.id;
  session.created_at = now;
  session.last_used_at = now;
  session.user_agent = client.user_agent.substr(0, 256);
  session.ip = client.ip;
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  Status st =
      store::InsertSession(*lease.value(), session, Sha256Hex(refresh), now + opts_.refresh_ttl_s);
  if (!st.ok()) return st;
  return Issue(user, session.id, now, std::move(refresh));
}

Result<TokenPair> Sessions::Refresh(std::string_view refresh_token) {
  if (refresh_token.empty() || refresh_token.size() > 128) return InvalidRefresh();
  int64_t now = UnixSeconds(clock_.Now());
  std::string hash = Sha256Hex(refresh_token);
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  Result<store::RefreshTokenRow> row = store::FindRefreshToken(*lease.value(), hash);
  if (!row.ok()) {
    return row.status().code() == Code::kNotFound ? InvalidRefresh() : row.status();
  }
  if (row->session_revoked_at != 0 || row->expires_at <= now) return InvalidRefresh();

  if (row->rotated_at != 0 && now - row->rotated_at > opts_.refresh_reuse_grace_s) {
    // Someone presents a token that was exchanged a while ago: one of the two
    // holders is not the user. End the session for both.
    Status st =
        store::RevokeSession(*lease.value(), row->user_id, row->session_id, now, "token_reused");
    if (!st.ok()) return st;
    MarkRevoked({row->session_id}, now);
    log::Warn("refresh_token_reused")
        .Str("userId", row->user_id)
        .Str("sessionId", row->session_id)
        .Emit();
    audit_.Record({"refresh_token.reused", "", row->user_id, "", {{"sessionId", row->session_id}}},
                  &*lease.value());
    return Status::Unauthenticated("Refresh token reused; the session has been revoked")
        .WithDetailsJson(R"({"reason":"token_reused"})");
  }

  Result<store::UserRow> user = store::FindUserById(*lease.value(), row->user_id);
  if (!user.ok() || user->status != "active") return InvalidRefresh();

  // Within the grace a rotated token gets a fresh pair without rotating
  // anything again; otherwise this token is rotated now.
  std::string fresh = RandomToken();
  std::string rotated = row->rotated_at != 0 ? std::string() : hash;
  Status st = store::AddRefreshToken(*lease.value(), row->session_id, rotated, Sha256Hex(fresh),
                                     now, now + opts_.refresh_ttl_s);
  if (st.code() == Code::kFailedPrecondition) return InvalidRefresh();
  if (!st.ok()) return st;
  return Issue(user.value(), row->session_id, now, std::move(fresh));
}

Status Sessions::Logout(const Principal& who, bool all) {
  int64_t now = UnixSeconds(clock_.Now());
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  if (!all) {
    Status st = store::RevokeSession(*lease.value(), who.user_id, who.session_id, now, "logout");
    if (!st.ok()) return st;
    MarkRevoked({who.session_id}, now);
    return Status::Ok();
  }
  Result<std::vector<std::string>> ids =
      store::RevokeUserSessions(*lease.value(), who.user_id, now, "logout_all");
  if (!ids.ok()) return ids.status();
  MarkRevoked(ids.value(), now);
  MarkRevoked({who.session_id}, now);
  return Status::Ok();
}

Status Sessions::RevokeUser(const std::string& user_id, const std::string& reason,
                            const std::string& except) {
  int64_t now = UnixSeconds(clock_.Now());
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  Result<std::vector<std::string>> ids =
      store::RevokeUserSessions(*lease.value(), user_id, now, reason, except);
  if (!ids.ok()) return ids.status();
  MarkRevoked(ids.value(), now);
  return Status::Ok();
}

Status Sessions::Revoke(const Principal& who, const std::string& session_id) {
  int64_t now = UnixSeconds(clock_.Now());
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  Status st = store::RevokeSession(*lease.value(), who.user_id, session_id, now, "revoked");
  if (st.code() == Code::kNotFound) return Status::NotFound("No such session");
  if (!st.ok()) return st;
  MarkRevoked({session_id}, now);
  return Status::Ok();
}

Result<std::vector<store::SessionRow>> Sessions::List(const Principal& who) {
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  return store::ListLiveSessions(*lease.value(), who.user_id);
}

Result<Principal> Sessions::Authenticate(std::string_view token) const {
  int64_t now = UnixSeconds(clock_.Now());
  Result<AccessClaims> claims = VerifyToken(token, opts_.signing_key, opts_.issuer, now);
  if (!claims.ok()) return claims.status();
  if (revoked_.Contains(claims->sid, now)) {
    return Status::Unauthenticated("The session has ended");
  }
  Principal p;
  p.user_id = std::move(claims->sub);
  p.email = std::move(claims->email);
  p.role = std::move(claims->role);
  p.session_id = std::move(claims->sid);
  return p;
}

}  // namespace cairn::auth
