#include "auth/password.h"

#include <sodium.h>

namespace cairn::auth {

class PasswordHasher::Turn {
 public:
  explicit Turn(PasswordHasher& h) : h_(h) {
    int ahead = h_.pending_.fetch_add(1);
    if (ahead < h_.params_.max_concurrent + h_.params_.max_waiting) {
      acquired_ = h_.turns_.try_acquire_for(h_.params_.queue_timeout);
    }
  }
  ~Turn() {
    if (acquired_) h_.turns_.release();
    h_.pending_.fetch_sub(1);
  }
  Turn(const Turn&) = delete;
  Turn& operator=(const Turn&) = delete;
  bool acquired() const { return acquired_; }

 private:
  PasswordHasher& h_;
  bool acquired_ = false;
};

namespace {

// Counts UTF-8 code points (continuation bytes excluded).
size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  return n;
}

Status Busy() { return Status::Unavailable("Too many password checks at once; try again"); }

}  // namespace

Status CheckPasswordPolicy(std::string_view password, const char* field) {
  auto fail = [field](const char* message, const char* code) {
    return Status::Validation("Request validation failed", {{field, message, code}});
  };
  if (password.size() > kMaxPasswordBytes) {
    return fail("Password must be at most 128 bytes", "too_long");
  }
  if (CodePoints(password) < kMinPasswordChars) {
    return fail("Password must be at least 8 characters", "too_short");
  }
  bool letter = false, digit = false;
  for (char ch : password) {
    unsigned char c = static_cast<unsigned char>(ch);
    letter = letter || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
    digit = digit || (c >= '0' && c <= '9');
  }
  if (!letter || !digit) {
    return fail("Password must contain letters and digits", "weak_password");
  }
  return Status::Ok();
}

PasswordHasher::PasswordHasher(HashParams params)
    : params_(params), turns_(params.max_concurrent) {}

Result<std::string> PasswordHasher::Hash(std::string_view password) {
  Turn turn(*this);
  if (!turn.acquired()) return Busy();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), params_.opslimit,
                        params_.memlimit) != 0) {
    return Status::Unavailable("Out of memory while hashing; try again");
  }
  return std::string(out);
}

Result<bool> PasswordHasher::Verify(std::string_view encoded, std::string_view password) {
  // crypto_pwhash_str_verify wants a NUL-terminated string.
  std::string hash(encoded);
  Turn turn(*this);
  if (!turn.acquired()) return Busy();
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

Status PasswordHasher::VerifyDummy(std::string_view password) {
  std::string dummy;
  {
    // Made on first use, not at start: startup stays fast. A first attempt
    // that finds the hasher busy is answered busy and tried again next time.
    std::lock_guard<std::mutex> lock(dummy_mu_);
    if (dummy_hash_.empty()) {
      Result<std::string> hash = Hash("cairn-dummy-password-never-used");
      if (!hash.ok()) return hash.status();
      dummy_hash_ = std::move(hash.value());
    }
    dummy = dummy_hash_;
  }
  return Verify(dummy, password).status();
}

bool PasswordHasher::NeedsRehash(std::string_view encoded) const {
  std::string hash(encoded);
  return crypto_pwhash_str_needs_rehash(hash.c_str(), params_.opslimit, params_.memlimit) != 0;
}

}  // namespace cairn::auth
