#include "events/webhook_signature.h"

#include <doctest/doctest.h>

#include <map>
#include <regex>
#include <set>
#include <string>

#include "util/digest.h"

namespace cairn::events {
namespace {

std::map<std::string, std::string> Headers(std::string_view secret, std::string_view id,
                                           int64_t ts, std::string_view body) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : SignatureHeaders(secret, id, ts, body)) out[name] = value;
  return out;
}

TEST_CASE("the Standard Webhooks signature matches the specification's published test vector") {
  // From the Standard Webhooks specification's reference libraries: a
  // receiver's library verifies what we send only if this comes out exact.
  auto h = Headers("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                   1614265330, R"({"test": 2432232314})");
  CHECK(h["webhook-signature"] == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  CHECK(h["webhook-id"] == "msg_p5jXN8AQM9LWM0D4loKWxJek");
  CHECK(h["webhook-timestamp"] == "1614265330");
}

TEST_CASE("X-Webhook-Signature is the hex HMAC-SHA256 of timestamp.body under the secret as shown") {
  const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const std::string body = R"({"id":"evt_0123456789abcdef"})";
  auto h = Headers(secret, "evt_0123456789abcdef", 1700000000, body);
  CHECK(h["X-Webhook-Id"] == "evt_0123456789abcdef");
  CHECK(h["X-Webhook-Timestamp"] == "1700000000");
  CHECK(std::regex_match(h["X-Webhook-Signature"], std::regex("^[0-9a-f]{64}$")));
  // The HMAC (checked against RFC 4231 in util/digest_test.cpp) of the
  // documented input.
  std::string mac = HmacSha256(secret, "1700000000." + body);
  std::string hex;
  for (unsigned char c : mac) {
    static const char kHex[] = "0123456789abcdef";
    hex += kHex[c >> 4];
    hex += kHex[c & 15];
  }
  CHECK(h["X-Webhook-Signature"] == hex);
  // Any change to body, time or secret changes it.
  CHECK(Headers(secret, "evt_0123456789abcdef", 1700000001, body)["X-Webhook-Signature"] != hex);
  CHECK(Headers(secret, "evt_0123456789abcdef", 1700000000, body + " ")["X-Webhook-Signature"] !=
        hex);
  CHECK(Headers("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "evt_0123456789abcdef",
                1700000000, body)["X-Webhook-Signature"] != hex);
}

TEST_CASE("a new secret is whsec_ and 24 random bytes in base64, different every time") {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string s = NewWebhookSecret();
    CHECK(std::regex_match(s, std::regex("^whsec_[A-Za-z0-9+/]{32}$")));
    seen.insert(s);
  }
  CHECK(seen.size() == 1000);
}

}  // namespace
}  // namespace cairn::events
