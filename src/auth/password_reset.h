#pragma once

// Forgotten passwords (API.md §5): POST forgot-password and reset-password.
//
// A request is answered 202 at once, whatever the email, and the work (look
// the account up, make a token, send the mail) happens on a worker thread.
// So neither the answer nor its timing says whether the account exists, and
// a slow mail command never holds a request. The token is 256 random bits,
// valid for an hour, single use, stored only as a hash; a new request
// supersedes older tokens. It travels only in the mail: never in a response
// or a log line.
//
// Thread-safe. The destructor finishes the queued requests, then stops.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "auth/audit.h"
#include "auth/password.h"
#include "auth/sessions.h"
#include "mail/mailer.h"
#include "store/database.h"
#include "util/clock.h"
#include "util/status.h"

namespace cairn::auth {

inline constexpr int64_t kResetTokenTtlS = 3600;
// Queued requests beyond this are dropped (and logged): a flood of requests
// must not grow memory without bound.
inline constexpr size_t kMaxQueuedResets = 1024;

class PasswordResets {
 public:
  // link_base, when set (FRONTEND_URL), makes the mail carry a link
  // <link_base>/reset-password?token=...; otherwise it carries the token.
  PasswordResets(store::Database& db, PasswordHasher& hasher, Sessions& sessions, AuditLog& audit,
                 mail::Mailer& mailer, const Clock& clock, std::string link_base);
  ~PasswordResets();
  PasswordResets(const PasswordResets&) = delete;
  PasswordResets& operator=(const PasswordResets&) = delete;

  // Queues a reset mail for email (already validated and normalised).
  void Request(std::string email, std::string ip);

  // Sets a new password with a token from the mail and ends every session.
  // Validation: the password policy, or field "token" invalid_or_expired.
  Status Reset(std::string_view token, std::string_view new_password, const std::string& ip);

 private:
  struct Pending {
    std::string email;
    std::string ip;
  };
  void Run();
  void Process(const Pending& p);

  store::Database& db_;
  PasswordHasher& hasher_;
  Sessions& sessions_;
  AuditLog& audit_;
  mail::Mailer& mailer_;
  const Clock& clock_;
  const std::string link_base_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;  // guarded by mu_
  bool stopping_ = false;      // guarded by mu_
  std::thread worker_;         // last: starts after everything it uses
};

}  // namespace cairn::auth
