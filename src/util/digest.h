#pragma once

// SHA-256 as lowercase hex (libsodium): migration checksums, stored hashes of
// refresh tokens.

#include <string>
#include <string_view>

namespace cairn {

std::string Sha256Hex(std::string_view data);

}  // namespace cairn
