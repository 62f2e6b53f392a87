#pragma once

// SHA-256 and HMAC-SHA256 (libsodium).

#include <string>
#include <string_view>

namespace cairn {

// SHA-256 as lowercase hex: migration checksums, stored hashes of refresh
// tokens.
std::string Sha256Hex(std::string_view data);

// HMAC-SHA256 of data under key (any length), as raw 32 bytes: JWT and
// webhook signatures.
std::string HmacSha256(std::string_view key, std::string_view data);

}  // namespace cairn
