#include "auth/password_reset.h"

#include <sodium.h>

#include "store/events.h"
#include "store/password_resets.h"
#include "store/users.h"
#include "util/digest.h"
#include "util/ids.h"
#include "util/log.h"

namespace cairn::auth {

namespace {

Status InvalidToken() {
  return Status::Validation(
      "Request validation failed",
      {{"token", "The reset token is invalid, used or expired", "invalid_or_expired"}});
}

}  // namespace

PasswordResets::PasswordResets(store::Database& db, PasswordHasher& hasher, Sessions& sessions,
                               AuditLog& audit, mail::Mailer& mailer, const Clock& clock,
                               std::string link_base)
    : db_(db),
      hasher_(hasher),
      sessions_(sessions),
      audit_(audit),
      mailer_(mailer),
      clock_(clock),
      link_base_(std::move(link_base)),
      worker_([this] { Run(); }) {}

PasswordResets::~PasswordResets() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

void PasswordResets::Request(std::string email, std::string ip) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.size() >= kMaxQueuedResets) {
      log::Warn("password_reset_dropped").Str("reason", "queue_full").Emit();
      return;
    }
    queue_.push_back({std::move(email), std::move(ip)});
  }
  cv_.notify_all();
}

void PasswordResets::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left to do
    Pending p = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    Process(p);
    lock.lock();
  }
}

void PasswordResets::Process(const Pending& p) {
  int64_t now = UnixSeconds(clock_.Now());
  store::UserRow user;
  std::string token = RandomToken();
  {
    auto lease = db_.Acquire();
    if (!lease.ok()) {
      log::Error("password_reset_failed").Str("cause", lease.status().message()).Emit();
      return;
    }
    Result<store::UserRow> found = store::FindUserByEmail(*lease.value(), p.email);
    // No account: nothing to send. The requester was told the same as for a
    // real one.
    if (!found.ok() || found->status != "active") return;
    user = std::move(found.value());
    // The token and its outbox event together: the user's notifications
    // (and, through the outbox, every other channel) say a reset was asked
    // for exactly when one can be used. The event carries no token: events
    // reach webhooks and live streams, and the token is for the mailbox only.
    Status st;
    try {
      store::WriteTransaction tx(*lease.value());
      st = store::InsertPasswordReset(*lease.value(), Sha256Hex(token), user.id, now,
                                      now + kResetTokenTtlS);
      if (st.ok()) {
        store::EventRow e;
        e.user_id = user.id;
        e.type = "password_reset.requested";
        TimePoint expires{std::chrono::seconds(now + kResetTokenTtlS)};
        e.data = "{\"expiresAt\":\"" + FormatIso8601(expires) + "\"}";
        e.created_at = now;
        st = store::InsertEvent(*lease.value(), &e);
      }
      if (st.ok()) tx.Commit();
    } catch (const std::exception& e) {
      st = store::FromSqliteError(e, "request password reset");
    }
    if (!st.ok()) {
      log::Error("password_reset_failed").Str("userId", user.id).Str("cause", st.message()).Emit();
      return;
    }
    audit_.Record({"password_reset.requested", "", user.id, p.ip, {}}, &*lease.value());
  }  // the mail command may be slow: the connection goes back first

  mail::Message m;
  m.to = user.email;
  m.subject = "Reset your Cairn password";
  m.body = "Hello " + user.first_name +
           ",\n\nSomeone (we hope you) asked to reset the password of this account.\n\n";
  if (!link_base_.empty()) {
    m.body += "Open this link within an hour to choose a new one:\n\n" + link_base_ +
              "/reset-password?token=" + token + "\n\n";
  } else {
    m.body +=
        "Send this token with your new password to POST /api/v1/auth/reset-password within an "
        "hour:\n\n" +
        token + "\n\n";
  }
  m.body += "If it was not you, ignore this mail: your password stays as it is.\n";
  sodium_memzero(token.data(), token.size());
  Status st = mailer_.Send(m);
  if (!st.ok()) {
    log::Error("password_reset_mail_failed")
        .Str("userId", user.id)
        .Str("cause", st.message())
        .Emit();
    return;
  }
  log::Info("password_reset_mailed").Str("userId", user.id).Emit();
}

Status PasswordResets::Reset(std::string_view token, std::string_view new_password,
                             const std::string& ip) {
  Status policy = CheckPasswordPolicy(new_password);
  if (!policy.ok()) return policy;
  if (token.empty() || token.size() > 128) return InvalidToken();
  std::string hash = Sha256Hex(token);
  int64_t now = UnixSeconds(clock_.Now());
  {
    // Refuse a bad token before paying for a hash.
    auto lease = db_.Acquire();
    if (!lease.ok()) return lease.status();
    Result<std::string> user_id = store::PeekPasswordReset(*lease.value(), hash, now);
    if (!user_id.ok())
      return user_id.status().code() == Code::kNotFound ? InvalidToken() : user_id.status();
  }
  Result<std::string> password_hash = hasher_.Hash(new_password);
  if (!password_hash.ok()) return password_hash.status();

  std::string user_id;
  {
    auto lease = db_.Acquire();
    if (!lease.ok()) return lease.status();
    try {
      store::WriteTransaction tx(*lease.value());
      Result<std::string> consumed =
          store::ConsumePasswordReset(*lease.value(), hash, UnixSeconds(clock_.Now()));
      if (!consumed.ok()) {
        return consumed.status().code() == Code::kNotFound ? InvalidToken() : consumed.status();
      }
      user_id = consumed.value();
      Result<store::UserRow> user = store::FindUserById(*lease.value(), user_id);
      if (!user.ok() || user->status != "active") return InvalidToken();
      Status st = store::UpdatePasswordHash(*lease.value(), user_id, *password_hash, now);
      if (!st.ok()) return st;
      st = store::ClearLoginFailures(*lease.value(), user_id);
      if (!st.ok()) return st;
      st = audit_.RecordIn(*lease.value(), {"password.reset", user_id, user_id, ip, {}});
      if (!st.ok()) return st;
      tx.Commit();
    } catch (const std::exception& e) {
      return store::FromSqliteError(e, "reset password");
    }
  }
  log::Info("password_reset").Str("userId", user_id).Emit();
  return sessions_.RevokeUser(user_id, "password_reset");
}

}  // namespace cairn::auth
