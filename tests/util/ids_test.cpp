#include "util/ids.h"

#include <doctest/doctest.h>

#include <regex>
#include <set>
#include <string>
#include <vector>

namespace cairn {
namespace {

bool IsLowerHex(const std::string& s) {
  return s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

TEST_CASE("a new id is its prefix, an underscore and 16 lowercase hex characters") {
  for (const char* prefix : {"usr", "req", "tx_rem", "a"}) {
    CAPTURE(prefix);
    std::string id = NewId(prefix);
    CHECK(std::regex_match(id, std::regex(std::string("^") + prefix + "_[0-9a-f]{16}$")));
    CHECK(IsWellFormedId(id));
  }
}

TEST_CASE("10000 new ids are all different") {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(NewId("req"));
  CHECK(seen.size() == 10000);
}

TEST_CASE("RandomHex gives two lowercase hex characters per byte") {
  for (size_t n :
       {size_t{0}, size_t{1}, size_t{8}, size_t{63}, size_t{64}, size_t{65}, size_t{200}}) {
    CAPTURE(n);
    std::string hex = RandomHex(n);
    CHECK(hex.size() == 2 * n);
    CHECK(IsLowerHex(hex));
  }
}

TEST_CASE("RandomHex draws fresh bytes for every block of a long string") {
  // 128 bytes are drawn in two 64-byte blocks; equal halves would mean the
  // second block repeated the first.
  std::string hex = RandomHex(128);
  CHECK(hex.substr(0, 128) != hex.substr(128));
  CHECK(RandomHex(16) != RandomHex(16));
}

TEST_CASE("well-formed ids are told apart from look-alikes") {
  const std::vector<std::string> good = {
      "usr_0123456789abcdef", "tx_rem_0123456789abcdef", "req_9f2c0d1e4b7a3c55",
      "a_0000000000000000",   "a_b_c_ffffffffffffffff",
  };
  for (const std::string& id : good) {
    CAPTURE(id);
    CHECK(IsWellFormedId(id));
  }
  const std::vector<std::string> bad = {
      "",
      "usr_",
      "usr_0123456789ABCDEF",  // uppercase hex
      "usr_0123456789abcdeF",
      "usr_0123456789abcde",    // 15 hex characters
      "usr_0123456789abcdef0",  // 17
      "0123456789abcdef",       // no prefix
      "_0123456789abcdef",      // empty prefix
      "__0123456789abcdef",
      "_usr_0123456789abcdef",  // leading underscore
      "usr__0123456789abcdef",  // prefix ending in an underscore
      "usr-0123456789abcdef",
      "usr 0123456789abcdef",
      "Usr_0123456789abcdef",  // uppercase prefix
      "us1_0123456789abcdef",  // digit in the prefix
      "usr_0123456789abcdeg",  // not hex
      "usr_0123456789abcdef ",
      " usr_0123456789abcdef",
      "usr_0123456789abcd\xc3\xa9",
  };
  for (const std::string& id : bad) {
    CAPTURE(id);
    CHECK_FALSE(IsWellFormedId(id));
  }
}

TEST_CASE("an id from a counter has the shape of any id, and one per counter") {
  PermutationKey key;
  key.fill(42);
  std::set<std::string> seen;
  for (uint64_t n = 1; n <= 1000; ++n) {
    std::string id = IdFromCounter("evt", key, n);
    CHECK(std::regex_match(id, std::regex("^evt_[0-9a-f]{16}$")));
    CHECK(IsWellFormedId(id));
    CHECK(id == IdFromCounter("evt", key, n));
    seen.insert(id);
  }
  CHECK(seen.size() == 1000);
}

TEST_CASE("the counter is read back from an id, and only from an id of its prefix and shape") {
  PermutationKey key;
  key.fill(42);
  uint64_t n = 0;
  for (uint64_t want : {uint64_t{1}, uint64_t{77}, uint64_t{1} << 40}) {
    REQUIRE(CounterFromId("evt", key, IdFromCounter("evt", key, want), &n));
    CHECK(n == want);
  }
  std::string good = IdFromCounter("evt", key, 5);
  for (const std::string& bad : {std::string("noti") + good.substr(3), good.substr(0, 19),
                                 good + "0", std::string("evt-") + good.substr(4),
                                 good.substr(0, 19) + "G", std::string("EVT") + good.substr(3)}) {
    CAPTURE(bad);
    CHECK_FALSE(CounterFromId("evt", key, bad, &n));
  }
}

}  // namespace
}  // namespace cairn
