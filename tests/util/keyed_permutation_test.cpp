#include "util/keyed_permutation.h"

#include <doctest/doctest.h>

#include <bit>
#include <cstdint>
#include <set>
#include <unordered_set>

namespace cairn {
namespace {

PermutationKey Key(unsigned char fill) {
  PermutationKey k;
  k.fill(fill);
  return k;
}

TEST_CASE("distinct counters give distinct values (a permutation), under one key") {
  PermutationKey k = Key(7);
  std::unordered_set<uint64_t> seen;
  for (uint64_t n = 0; n < 200000; ++n) seen.insert(Permute(k, n));
  CHECK(seen.size() == 200000);
  // Far apart and at the edges of the range too.
  for (uint64_t n : {UINT64_MAX, UINT64_MAX - 1, uint64_t{1} << 32, (uint64_t{1} << 32) - 1}) {
    CHECK(seen.insert(Permute(k, n)).second);
  }
}

TEST_CASE("Unpermute undoes Permute, across the whole range and under every key") {
  for (unsigned char fill : {0, 7, 255}) {
    PermutationKey k = Key(fill);
    for (uint64_t n : {uint64_t{0}, uint64_t{1}, uint64_t{12345}, uint64_t{1} << 32, UINT64_MAX}) {
      CAPTURE(n);
      CHECK(Unpermute(k, Permute(k, n)) == n);
      CHECK(Permute(k, Unpermute(k, n)) == n);
    }
  }
  // Another key does not undo it.
  CHECK(Unpermute(Key(8), Permute(Key(7), 12345)) != 12345);
}

TEST_CASE("consecutive counters give values that show no order") {
  PermutationKey k = Key(1);
  int increasing = 0;
  std::set<uint64_t> top_bytes;
  uint64_t prev = Permute(k, 1);
  for (uint64_t n = 2; n <= 1001; ++n) {
    uint64_t v = Permute(k, n);
    if (v > prev) ++increasing;
    top_bytes.insert(v >> 56);
    prev = v;
  }
  // About half the steps go up, as for random values, and the top byte
  // takes most of its 256 values instead of staying put.
  CHECK(increasing > 400);
  CHECK(increasing < 600);
  CHECK(top_bytes.size() > 200);
}

TEST_CASE("one bit more in the counter changes about half the bits of the value") {
  PermutationKey k = Key(3);
  int flipped = 0, samples = 0;
  for (uint64_t n = 0; n < 500; ++n) {
    for (int bit = 0; bit < 64; bit += 7) {
      flipped += std::popcount(Permute(k, n) ^ Permute(k, n ^ (uint64_t{1} << bit)));
      ++samples;
    }
  }
  double mean = static_cast<double>(flipped) / samples;
  CHECK(mean > 30.0);
  CHECK(mean < 34.0);
}

TEST_CASE("the key decides the values: another key, other values; the same key, the same") {
  int same = 0;
  for (uint64_t n = 0; n < 1000; ++n) {
    CHECK(Permute(Key(9), n) == Permute(Key(9), n));
    if (Permute(Key(9), n) == Permute(Key(10), n)) ++same;
  }
  CHECK(same == 0);
}

TEST_CASE("a key reads from 32 hex characters, and from nothing else") {
  auto k = PermutationKeyFromHex("000102030405060708090a0b0c0d0eFF");
  REQUIRE(k.has_value());
  CHECK((*k)[0] == 0x00);
  CHECK((*k)[10] == 0x0a);
  CHECK((*k)[15] == 0xff);
  CHECK_FALSE(PermutationKeyFromHex("").has_value());
  CHECK_FALSE(PermutationKeyFromHex("000102030405060708090a0b0c0d0e").has_value());
  CHECK_FALSE(PermutationKeyFromHex("000102030405060708090a0b0c0d0e0f00").has_value());
  CHECK_FALSE(PermutationKeyFromHex("000102030405060708090a0b0c0d0e0g").has_value());
  CHECK_FALSE(PermutationKeyFromHex("00010203040506070809 a0b0c0d0e0f").has_value());
}

}  // namespace
}  // namespace cairn
