#include "util/keyed_permutation.h"

#include <sodium.h>

namespace cairn {

namespace {

constexpr int kRounds = 8;

uint32_t Round(const PermutationKey& key, uint32_t round, uint32_t half) {
  static_assert(sizeof(PermutationKey) == crypto_shorthash_KEYBYTES);
  unsigned char in[8];
  for (int i = 0; i < 4; ++i) {
    in[i] = static_cast<unsigned char>(round >> (8 * i));
    in[4 + i] = static_cast<unsigned char>(half >> (8 * i));
  }
  unsigned char out[crypto_shorthash_BYTES];
  crypto_shorthash(out, in, sizeof in, key.data());
  return static_cast<uint32_t>(out[0]) | static_cast<uint32_t>(out[1]) << 8 |
         static_cast<uint32_t>(out[2]) << 16 | static_cast<uint32_t>(out[3]) << 24;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

uint64_t Permute(const PermutationKey& key, uint64_t n) {
  auto left = static_cast<uint32_t>(n >> 32);
  auto right = static_cast<uint32_t>(n);
  for (uint32_t r = 0; r < kRounds; ++r) {
    uint32_t next = left ^ Round(key, r, right);
    left = right;
    right = next;
  }
  return static_cast<uint64_t>(left) << 32 | right;
}

uint64_t Unpermute(const PermutationKey& key, uint64_t v) {
  auto left = static_cast<uint32_t>(v >> 32);
  auto right = static_cast<uint32_t>(v);
  for (uint32_t r = kRounds; r-- > 0;) {
    uint32_t prev = right ^ Round(key, r, left);
    right = left;
    left = prev;
  }
  return static_cast<uint64_t>(left) << 32 | right;
}

std::optional<PermutationKey> PermutationKeyFromHex(std::string_view hex) {
  PermutationKey key;
  if (hex.size() != 2 * key.size()) return std::nullopt;
  for (size_t i = 0; i < key.size(); ++i) {
    int hi = HexValue(hex[2 * i]);
    int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    key[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  return key;
}

}  // namespace cairn
