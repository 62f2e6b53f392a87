// Fuzz target: access tokens through auth::VerifyToken, and the base64url
// codec under it. The first byte chooses what the rest is:
//
//  0: a token as a client sends it. Forging HMAC is out of reach, so what
//     verifies is a committed seed (signed with kKey, below) or a mutation
//     of one; whatever verifies must be exactly the token SignToken makes of
//     its claims: no second spelling of a valid token is accepted.
//  1: "header\npayload", JSON texts the harness encodes and signs with kKey,
//     so the checks after the signature (alg, typ, crit, claims, times) are
//     reached. A token that verifies has alg HS256, the issuer, iat and nbf
//     within the skew and exp in the future, and SignToken of its claims
//     verifies to the same claims (unless what it writes is over
//     kMaxTokenBytes); under another key it is refused.
//  2: base64url: decoding is canonical (what decodes re-encodes to the same
//     text) and encoding round-trips.

#include <sodium.h>

#include <cstdint>
#include <string>

#include "auth/jwt.h"
#include "fuzz_check.h"
#include "util/base64url.h"
#include "util/digest.h"
#include "util/json.h"

namespace cairn {
namespace {

constexpr std::string_view kKey = "fuzz-signing-key-0123456789abcdef";
constexpr std::string_view kIssuer = "cairn";
constexpr int64_t kNow = 1'800'000'000;

bool SameClaims(const auth::AccessClaims& a, const auth::AccessClaims& b) {
  return a.sub == b.sub && a.email == b.email && a.role == b.role && a.sid == b.sid &&
         a.iss == b.iss && a.jti == b.jti && a.iat == b.iat && a.exp == b.exp;
}

void CheckVerified(const auth::AccessClaims& c) {
  FUZZ_CHECK(c.iss == kIssuer);
  FUZZ_CHECK(c.exp > kNow);
  FUZZ_CHECK(c.iat <= kNow + auth::kClockSkewSeconds);
}

void ClientToken(std::string_view token) {
  Result<auth::AccessClaims> c = auth::VerifyToken(token, kKey, kIssuer, kNow);
  if (!c.ok()) return;
  CheckVerified(*c);
  FUZZ_CHECK(token.size() <= auth::kMaxTokenBytes);
  FUZZ_CHECK(auth::SignToken(*c, kKey) == token);
}

void SignedSegments(std::string_view rest) {
  std::string_view header = fuzz::NextLine(&rest);
  std::string token = Base64UrlEncode(header) + "." + Base64UrlEncode(rest);
  std::string signing_input = token;
  token += "." + Base64UrlEncode(HmacSha256(kKey, signing_input));
  Result<auth::AccessClaims> c = auth::VerifyToken(token, kKey, kIssuer, kNow);
  if (!c.ok()) return;
  CheckVerified(*c);
  FUZZ_CHECK(token.size() <= auth::kMaxTokenBytes);
  Result<picojson::object> h = json::ParseObject(header);
  FUZZ_CHECK(h.ok());
  FUZZ_CHECK(h->at("alg").is<std::string>() && h->at("alg").get<std::string>() == "HS256");
  FUZZ_CHECK(h->count("crit") == 0);
  FUZZ_CHECK(!auth::VerifyToken(token, "another key", kIssuer, kNow).ok());

  std::string resigned = auth::SignToken(*c, kKey);
  Result<auth::AccessClaims> again = auth::VerifyToken(resigned, kKey, kIssuer, kNow);
  // SignToken does not bound what it writes (jwt.h): claims of control
  // characters grow sixfold as \u escapes, and past kMaxTokenBytes the
  // token is refused like any other.
  if (resigned.size() > auth::kMaxTokenBytes) {
    FUZZ_CHECK(!again.ok());
    return;
  }
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(SameClaims(*c, *again));
}

void Base64(std::string_view rest) {
  std::string decoded;
  FUZZ_CHECK(Base64UrlDecode(Base64UrlEncode(rest), &decoded));
  FUZZ_CHECK(decoded == rest);
  if (Base64UrlDecode(rest, &decoded)) {
    FUZZ_CHECK(Base64UrlEncode(decoded) == rest);
    FUZZ_CHECK(decoded.size() == rest.size() * 3 / 4);
  }
}

}  // namespace
}  // namespace cairn

extern "C" int LLVMFuzzerInitialize(int*, char***) { return sodium_init() < 0 ? 1 : 0; }

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cairn;
  if (size == 0) return 0;
  std::string_view rest = fuzz::AsText(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: ClientToken(rest); break;
    case 1: SignedSegments(rest); break;
    default: Base64(rest); break;
  }
  return 0;
}
