#pragma once

// Passwords: the policy a new password must meet, and Argon2id hashing through
// libsodium's crypto_pwhash_str.
//
// Hashing costs memlimit bytes and a few tens of milliseconds of CPU, so at
// most `max_concurrent` hashes run at once; a caller that cannot get a turn
// within `queue_timeout` gets Unavailable instead of piling up memory. A login
// storm therefore costs bounded memory and leaves the other workers free.
//
// Thread-safe.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <semaphore>
#include <string>
#include <string_view>

#include "util/status.h"

namespace cairn::auth {

// Longer passwords are refused (422) rather than hashed slowly.
inline constexpr size_t kMaxPasswordBytes = 128;
inline constexpr size_t kMinPasswordChars = 8;

// At least 8 characters, at most 128 bytes, with a letter and a digit.
// Validation on the "password" field (or `field`) when it fails.
Status CheckPasswordPolicy(std::string_view password, const char* field = "password");

struct HashParams {
  // OWASP's minimum for Argon2id: t=2, m=19 MiB, p=1 (libsodium uses p=1).
  unsigned long long opslimit = 2;
  size_t memlimit = 19 * 1024 * 1024;
  int max_concurrent = 2;
  // Callers that may wait for a turn; more are refused at once. Each waiter
  // holds an HTTP worker (and its keep-alive connection), so a long queue
  // would let a login storm take every worker from everyone else.
  int max_waiting = 6;
  std::chrono::milliseconds queue_timeout{5000};
};

class PasswordHasher {
 public:
  explicit PasswordHasher(HashParams params = {});
  PasswordHasher(const PasswordHasher&) = delete;
  PasswordHasher& operator=(const PasswordHasher&) = delete;

  // The encoded "$argon2id$v=19$m=…" string. Unavailable when no turn came.
  Result<std::string> Hash(std::string_view password);

  // True if password matches encoded. Unavailable when no turn came.
  Result<bool> Verify(std::string_view encoded, std::string_view password);

  // Spends the time of a Verify against a hash that exists nowhere, so that
  // a login for an unknown email takes as long as a wrong password, and is
  // refused the same way when the hasher is busy.
  Status VerifyDummy(std::string_view password);

  // True if encoded was made with other parameters than these (rehash it on
  // the next successful login).
  bool NeedsRehash(std::string_view encoded) const;

 private:
  // Holds one hashing turn for its lifetime.
  class Turn;

  const HashParams params_;
  std::counting_semaphore<1024> turns_;
  std::atomic<int> pending_{0};  // callers hashing or waiting to
  std::mutex dummy_mu_;
  std::string dummy_hash_;  // guarded by dummy_mu_; empty until first made
};

}  // namespace cairn::auth
