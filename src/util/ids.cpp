#include "util/ids.h"

#include <sodium.h>

#include <cstdint>

namespace cairn {

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

std::string NewId(std::string_view prefix) {
  std::string id;
  id.reserve(prefix.size() + 17);
  id.append(prefix);
  id.push_back('_');
  id.append(RandomHex(8));
  return id;
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
