#pragma once

// Access tokens: JWS compact serialisation with HS256 (RFC 7515, RFC 7519),
// signed and checked with libsodium's HMAC-SHA256 and compared in constant
// time. Only {"alg":"HS256"} with "typ" "JWT" or absent is accepted: "none",
// every other algorithm, "crit", a bad signature, a wrong issuer, an expired
// or not-yet-valid token, and anything malformed or over-long are refused.
//
// Thread-safe: no state.

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace cairn::auth {

// Longest token accepted; real ones are ~350 bytes.
inline constexpr size_t kMaxTokenBytes = 4096;
// Clock skew tolerated for "iat" and "nbf" in the future.
inline constexpr int64_t kClockSkewSeconds = 60;

struct AccessClaims {
  std::string sub;    // user id
  std::string email;
  std::string role;
  std::string sid;    // session id
  std::string iss;
  std::string jti;    // token id
  int64_t iat = 0;    // Unix seconds
  int64_t exp = 0;
};


// header.payload.signature with header {"alg":"HS256","typ":"JWT"}.
// The length is not checked: claims that make a token longer than
// kMaxTokenBytes (control characters and DEL are written as six-byte \u
// escapes) make one that VerifyToken refuses. Cairn's own claims, ids and
// an email of at most 254 bytes, stay far below it.
std::string SignToken(const AccessClaims& claims, std::string_view key);

// Checks and decodes a token. Unauthenticated on any failure; an expired
// token's status has reason "token_expired". now: Unix seconds.
Result<AccessClaims> VerifyToken(std::string_view token, std::string_view key,
                                 std::string_view issuer, int64_t now);

}  // namespace cairn::auth
