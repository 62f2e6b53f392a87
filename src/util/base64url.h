#pragma once

// base64url without padding (RFC 4648 §5), as JWTs use it.

#include <string>
#include <string_view>

namespace cairn {

std::string Base64UrlEncode(std::string_view bytes);

// Strict decoding: only the base64url alphabet, no padding, no whitespace,
// no length of 1 mod 4, and the unused low bits of the last character must be
// zero, so every byte string has exactly one accepted encoding (a token
// cannot be altered into another valid spelling of the same signature).
// Returns false, leaving *out unspecified, on anything else.
bool Base64UrlDecode(std::string_view text, std::string* out);

}  // namespace cairn
