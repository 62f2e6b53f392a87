#include "auth/jwt.h"

#include <doctest/doctest.h>

#include <string>

#include "util/base64url.h"
#include "util/digest.h"

namespace cairn::auth {
namespace {

constexpr int64_t kNow = 1800000000;
const std::string kKey(32, 'k');

AccessClaims Sample() {
  AccessClaims c;
  c.sub = "usr_0123456789abcdef";
  c.email = "ada@example.com";
  c.role = "user";
  c.sid = "ses_0123456789abcdef";
  c.iss = "cairn";
  c.jti = "jti_0123456789abcdef";
  c.iat = kNow;
  c.exp = kNow + 900;
  return c;
}

std::string B64(const std::string& s) { return Base64UrlEncode(s); }

// A token with the given header and payload JSON, signed with key.
std::string Forge(const std::string& header, const std::string& payload,
                  const std::string& key = kKey) {
  std::string input = B64(header) + "." + B64(payload);
  return input + "." + B64(HmacSha256(key, input));
}

const char kPayload[] =
    R"({"sub":"usr_0123456789abcdef","email":"ada@example.com","role":"user",)"
    R"("sid":"ses_0123456789abcdef","iss":"cairn","jti":"jti_0123456789abcdef",)"
    R"("iat":1800000000,"exp":1800000900})";

void CheckRefused(const std::string& token, int64_t now = kNow) {
  CAPTURE(token);
  Result<AccessClaims> r = VerifyToken(token, kKey, "cairn", now);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kUnauthenticated);
}

TEST_CASE("HMAC-SHA256 signs the RFC 7515 appendix A.1 example exactly") {
  std::string key;
  REQUIRE(Base64UrlDecode(
      "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow",
      &key));
  const std::string input =
      "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
      "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
  CHECK(B64(HmacSha256(key, input)) == "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
}

TEST_CASE("a signed token verifies and gives back every claim") {
  std::string token = SignToken(Sample(), kKey);
  Result<AccessClaims> r = VerifyToken(token, kKey, "cairn", kNow + 10);
  REQUIRE(r.ok());
  CHECK(r->sub == "usr_0123456789abcdef");
  CHECK(r->email == "ada@example.com");
  CHECK(r->role == "user");
  CHECK(r->sid == "ses_0123456789abcdef");
  CHECK(r->jti == "jti_0123456789abcdef");
  CHECK(r->iat == kNow);
  CHECK(r->exp == kNow + 900);
  // The header is the standard one.
  CHECK(token.substr(0, token.find('.')) == B64(R"({"alg":"HS256","typ":"JWT"})"));
}

TEST_CASE("an expired token is refused with token_expired") {
  std::string token = SignToken(Sample(), kKey);
  for (int64_t now : {kNow + 900, kNow + 901, kNow + 100000}) {
    Result<AccessClaims> r = VerifyToken(token, kKey, "cairn", now);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().reason() == "token_expired");
  }
}

TEST_CASE("a token issued in the future beyond the clock skew is refused") {
  AccessClaims c = Sample();
  c.iat = kNow + kClockSkewSeconds + 1;
  c.exp = c.iat + 900;
  CheckRefused(SignToken(c, kKey));
  c.iat = kNow + kClockSkewSeconds;  // within the skew
  CHECK(VerifyToken(SignToken(c, kKey), kKey, "cairn", kNow).ok());
  std::string with_nbf = R"({"sub":"u","email":"e","role":"user","sid":"s","iss":"cairn",)"
                         R"("jti":"j","iat":1800000000,"exp":1800000900,"nbf":1800000500})";
  CheckRefused(Forge(R"({"alg":"HS256"})", with_nbf));
}

TEST_CASE("a wrong key, a wrong issuer or a tampered payload is refused") {
  std::string token = SignToken(Sample(), kKey);
  CHECK_FALSE(VerifyToken(token, std::string(32, 'x'), "cairn", kNow).ok());
  CHECK_FALSE(VerifyToken(token, kKey, "someone-else", kNow).ok());

  // Same signature, payload re-encoded with role admin.
  std::string payload = kPayload;
  payload.replace(payload.find("\"user\""), 6, "\"admin\"");
  size_t d1 = token.find('.');
  size_t d2 = token.rfind('.');
  CheckRefused(token.substr(0, d1 + 1) + B64(payload) + token.substr(d2));
}

TEST_CASE("alg none, other algorithms, other types and crit are refused") {
  std::string input = B64(R"({"alg":"none","typ":"JWT"})") + "." + B64(kPayload);
  CheckRefused(input + ".");
  CheckRefused(input);
  // Correct HS256 signatures under headers that name something else.
  for (const char* header :
       {R"({"alg":"HS512","typ":"JWT"})", R"({"alg":"RS256"})", R"({"alg":"hs256"})",
        R"({"alg":"HS256","typ":"JOSE"})", R"({"alg":"HS256","typ":1})", R"({"typ":"JWT"})",
        R"({"alg":"HS256","crit":["exp"]})", R"({"alg":["HS256"]})", R"([1])", "not json"}) {
    CheckRefused(Forge(header, kPayload));
  }
  // typ absent is fine.
  CHECK(VerifyToken(Forge(R"({"alg":"HS256"})", kPayload), kKey, "cairn", kNow).ok());
}

TEST_CASE("truncated, over-long and malformed tokens are refused") {
  std::string token = SignToken(Sample(), kKey);
  CheckRefused("");
  CheckRefused(token.substr(0, token.size() - 1));
  CheckRefused(token.substr(0, token.rfind('.')));
  CheckRefused(token + ".");
  CheckRefused(token + "." + token);
  CheckRefused("a.b.c");
  CheckRefused(".." );
  CheckRefused(std::string(kMaxTokenBytes + 1, 'a'));
  // A non-canonical spelling of the right signature: 32 bytes take 43
  // characters, whose last 2 bits are unused; a lenient decoder would read
  // the same bytes with the lowest one set.
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string flipped = token;
  flipped.back() = kAlphabet[kAlphabet.find(token.back()) ^ 1];
  CheckRefused(flipped);
  // Padding added to the signature.
  CheckRefused(token + "=");
}

// Found by tests/fuzz/jwt.cpp: SignToken writes what it is given, and its
// length limit is VerifyToken's. DEL is escaped as \u007f, so 700 of them
// take 4,200 bytes of JSON.
TEST_CASE("a correctly signed token longer than kMaxTokenBytes is refused") {
  AccessClaims c = Sample();
  c.jti = std::string(700, '\x7f');
  std::string token = SignToken(c, kKey);
  CHECK(token.size() > kMaxTokenBytes);
  CheckRefused(token);
  c.jti = std::string(kMaxTokenBytes, 'j');
  CheckRefused(SignToken(c, kKey));
  // Shorter, the same kind of claims verify.
  c.jti = std::string(300, '\x7f');
  token = SignToken(c, kKey);
  REQUIRE(token.size() <= kMaxTokenBytes);
  Result<AccessClaims> r = VerifyToken(token, kKey, "cairn", kNow);
  REQUIRE(r.ok());
  CHECK(r->jti == c.jti);
}

TEST_CASE("a payload missing a claim or with a claim of the wrong type is refused") {
  for (const char* payload :
       {R"({"email":"e","role":"user","sid":"s","iss":"cairn","jti":"j","iat":1800000000,"exp":1800000900})",
        R"({"sub":"u","email":"e","role":"user","sid":"s","iss":"cairn","jti":"j","iat":1800000000,"exp":"1800000900"})",
        R"({"sub":"u","email":"e","role":"user","sid":"s","iss":"cairn","jti":"j","iat":1800000000,"exp":1.8e9})",
        R"({"sub":1,"email":"e","role":"user","sid":"s","iss":"cairn","jti":"j","iat":1800000000,"exp":1800000900})",
        R"([])"}) {
    CheckRefused(Forge(R"({"alg":"HS256"})", payload));
  }
}

}  // namespace
}  // namespace cairn::auth
