#include "auth/password.h"

#include <doctest/doctest.h>

#include <atomic>
#include <latch>
#include <string>
#include <thread>
#include <vector>

namespace cairn::auth {
namespace {

// Cheap parameters so the tests run fast; the defaults are checked once.
HashParams Fast() {
  HashParams p;
  p.opslimit = 1;
  p.memlimit = 64 * 1024;
  return p;
}

TEST_CASE("the password policy wants 8 characters, a letter and a digit, and 128 bytes at most") {
  for (const char* good :
       {"abcdefg1", "Passw0rd", "12345678a", "pässwörd1", "correct horse battery staple 9"}) {
    CAPTURE(good);
    CHECK(CheckPasswordPolicy(good).ok());
  }
  struct Row {
    std::string password;
    const char* code;
  };
  const std::vector<Row> bad = {
      {"", "too_short"},
      {"abc1", "too_short"},
      {"abcdef1", "too_short"},
      {"abcdefgh", "weak_password"},
      {"12345678", "weak_password"},
      {"!!!!!!!!1", "weak_password"},
      {std::string(128, 'a') + "1", "too_long"},
      {std::string(10000, 'a'), "too_long"},
  };
  for (const Row& r : bad) {
    CAPTURE(r.password.size());
    Status st = CheckPasswordPolicy(r.password);
    REQUIRE_FALSE(st.ok());
    CHECK(st.code() == Code::kValidation);
    REQUIRE(st.details().size() == 1);
    CHECK(st.details()[0].field == "password");
    CHECK(st.details()[0].code == r.code);
  }
  CHECK(CheckPasswordPolicy(std::string(127, 'a') + "1").ok());  // exactly 128 bytes
  CHECK(CheckPasswordPolicy("short", "newPassword").details()[0].field == "newPassword");
}

TEST_CASE("eight multi-byte characters count as eight, not as their bytes") {
  const std::string e_acute = "\xc3\xa9";
  // Four of them and a digit: nine bytes but five characters.
  CHECK(CheckPasswordPolicy(e_acute + e_acute + e_acute + e_acute + "1").code() ==
        Code::kValidation);
  std::string seven;
  for (int i = 0; i < 7; ++i) seven += e_acute;
  CHECK(CheckPasswordPolicy(seven + "1").ok());
}

TEST_CASE("a hash verifies its own password and no other") {
  PasswordHasher hasher(Fast());
  Result<std::string> hash = hasher.Hash("Passw0rd!");
  REQUIRE(hash.ok());
  CHECK(hash->rfind("$argon2id$", 0) == 0);
  CHECK(hasher.Verify(*hash, "Passw0rd!").value());
  CHECK_FALSE(hasher.Verify(*hash, "passw0rd!").value());
  CHECK_FALSE(hasher.Verify(*hash, "").value());
  CHECK_FALSE(hasher.Verify("not a hash", "Passw0rd!").value());
  // Salted: the same password hashes differently each time.
  CHECK(hasher.Hash("Passw0rd!").value() != *hash);
}

TEST_CASE("the default parameters are OWASP's Argon2id minimum") {
  PasswordHasher hasher;
  Result<std::string> hash = hasher.Hash("Passw0rd!");
  REQUIRE(hash.ok());
  CHECK(hash->find("$argon2id$v=19$m=19456,t=2,p=1$") == 0);
  CHECK_FALSE(hasher.NeedsRehash(*hash));
}

TEST_CASE("a hash made with other parameters needs a rehash") {
  PasswordHasher fast(Fast());
  PasswordHasher standard;
  std::string old_hash = fast.Hash("Passw0rd!").value();
  CHECK(standard.NeedsRehash(old_hash));
  CHECK(standard.Verify(old_hash, "Passw0rd!").value());  // still verifies meanwhile
  CHECK_FALSE(fast.NeedsRehash(old_hash));
}

TEST_CASE("a dummy verification runs without a stored hash and changes nothing") {
  PasswordHasher hasher(Fast());
  CHECK(hasher.VerifyDummy("whatever1").ok());
  CHECK(hasher.Hash("Passw0rd!").ok());
}

TEST_CASE("beyond the turns and the waiting room, callers are refused at once, not queued") {
  HashParams p;
  p.opslimit = 2;
  p.memlimit = 8 * 1024 * 1024;  // ~10 ms a hash: long enough to overlap
  p.max_concurrent = 1;
  p.max_waiting = 1;
  PasswordHasher hasher(p);
  constexpr int kCallers = 8;
  std::latch start(kCallers);
  std::atomic<int> ok{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      Result<std::string> h = hasher.Hash("Passw0rd!");
      (h.ok() ? ok : refused).fetch_add(1);
      if (!h.ok()) CHECK(h.status().code() == Code::kUnavailable);
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(ok.load() >= 1);
  CHECK(refused.load() >= 1);
  CHECK(ok.load() + refused.load() == kCallers);
  // Once the storm is over, the hasher serves again.
  CHECK(hasher.Hash("Passw0rd!").ok());
  CHECK(hasher.VerifyDummy("Passw0rd!").ok());
}

}  // namespace
}  // namespace cairn::auth
