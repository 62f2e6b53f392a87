#include "util/ids.h"

#include <sodium.h>

#include <cstdint>
#include <cstring>

#include "util/base64url.h"
#include "util/keyed_permutation.h"

namespace cairn {

std::string RandomToken() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  std::string token =
      Base64UrlEncode(std::string_view(reinterpret_cast<char*>(bytes), sizeof bytes));
  sodium_memzero(bytes, sizeof bytes);
  return token;
}

std::string RandomHex(size_t n_bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(n_bytes * 2);
  unsigned char buf[64];
  while (n_bytes > 0) {
    size_t n = n_bytes < sizeof buf ? n_bytes : sizeof buf;
    randombytes_buf(buf, n);
    for (size_t i = 0; i < n; ++i) {
      out.push_back(kHex[buf[i] >> 4]);
      out.push_back(kHex[buf[i] & 0x0f]);
    }
    n_bytes -= n;
  }
  return out;
}

namespace {

// Every request takes an id; drawing its 8 bytes from a per-thread pool
// filled 512 bytes at a time keeps the OS's CSPRNG (one getrandom(2) call)
// off the per-request path without making ids any more predictable.
void RandomBytes8(unsigned char out[8]) {
  thread_local unsigned char pool[512];
  thread_local size_t used = sizeof pool;
  if (used == sizeof pool) {
    randombytes_buf(pool, sizeof pool);
    used = 0;
  }
  std::memcpy(out, pool + used, 8);
  sodium_memzero(pool + used, 8);  // a byte is handed out once
  used += 8;
}

std::string FormatId(std::string_view prefix, const unsigned char b[8]) {
  static const char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(prefix.size() + 17);
  id.append(prefix);
  id.push_back('_');
  for (int i = 0; i < 8; ++i) {
    id.push_back(kHex[b[i] >> 4]);
    id.push_back(kHex[b[i] & 0x0f]);
  }
  return id;
}

}  // namespace

std::string NewId(std::string_view prefix) {
  unsigned char b[8];
  RandomBytes8(b);
  return FormatId(prefix, b);
}

std::string IdFromCounter(std::string_view prefix, const PermutationKey& key, uint64_t n) {
  uint64_t v = Permute(key, n);
  unsigned char b[8];
  for (int i = 7; i >= 0; --i, v >>= 8) b[i] = static_cast<unsigned char>(v);
  return FormatId(prefix, b);
}

bool CounterFromId(std::string_view prefix, const PermutationKey& key, std::string_view id,
                   uint64_t* n) {
  if (id.size() != prefix.size() + 17 || id.substr(0, prefix.size()) != prefix ||
      id[prefix.size()] != '_') {
    return false;
  }
  uint64_t v = 0;
  for (char c : id.substr(prefix.size() + 1)) {
    int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (digit < 0) return false;
    v = v << 4 | static_cast<uint64_t>(digit);
  }
  *n = Unpermute(key, v);
  return true;
}

bool IsWellFormedId(std::string_view id) {
  if (id.size() < 18) return false;
  size_t sep = id.size() - 17;
  if (id[sep] != '_') return false;
  for (size_t i = 0; i < sep; ++i) {
    char c = id[i];
    bool ok = (c >= 'a' && c <= 'z') || (c == '_' && i > 0 && i + 1 < sep);
    if (!ok) return false;
  }
  for (size_t i = sep + 1; i < id.size(); ++i) {
    char c = id[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace cairn
