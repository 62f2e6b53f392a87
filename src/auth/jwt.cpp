#include "auth/jwt.h"

#include <picojson.h>
#include <sodium.h>

#include "util/base64url.h"
#include "util/digest.h"
#include "util/json.h"

namespace cairn::auth {

namespace {

Status Refused(const char* why) { return Status::Unauthenticated(why); }

bool GetString(const picojson::object& o, const char* key, std::string* out) {
  auto it = o.find(key);
  if (it == o.end() || !it->second.is<std::string>()) return false;
  *out = it->second.get<std::string>();
  return true;
}

bool GetInt(const picojson::object& o, const char* key, int64_t* out) {
  auto it = o.find(key);
  if (it == o.end() || !it->second.is<int64_t>()) return false;
  *out = it->second.get<int64_t>();
  return true;
}

// Decodes one base64url segment holding a JSON object.
bool DecodeObject(std::string_view segment, picojson::object* out) {
  std::string text;
  if (!Base64UrlDecode(segment, &text)) return false;
  Result<picojson::object> parsed = json::ParseObject(text);
  if (!parsed.ok()) return false;
  *out = std::move(parsed.value());
  return true;
}

}  // namespace

std::string SignToken(const AccessClaims& c, std::string_view key) {
  picojson::object payload;
  payload["sub"] = picojson::value(c.sub);
  payload["email"] = picojson::value(c.email);
  payload["role"] = picojson::value(c.role);
  payload["sid"] = picojson::value(c.sid);
  payload["iss"] = picojson::value(c.iss);
  payload["jti"] = picojson::value(c.jti);
  payload["iat"] = picojson::value(c.iat);
  payload["exp"] = picojson::value(c.exp);
  std::string input = Base64UrlEncode(R"({"alg":"HS256","typ":"JWT"})");
  input.push_back('.');
  input += Base64UrlEncode(json::Serialize(picojson::value(payload)));
  std::string signature = Base64UrlEncode(HmacSha256(key, input));
  input.push_back('.');
  input += signature;
  return input;
}

Result<AccessClaims> VerifyToken(std::string_view token, std::string_view key,
                                 std::string_view issuer, int64_t now) {
  if (token.empty() || token.size() > kMaxTokenBytes) return Refused("Invalid token");
  size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return Refused("Invalid token");
  size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return Refused("Invalid token");
  }
  std::string_view header_b64 = token.substr(0, dot1);
  std::string_view payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
  std::string_view signature_b64 = token.substr(dot2 + 1);

  // The header is read before the signature is checked only to refuse
  // algorithms: the key is HS256's whatever the header says.
  picojson::object header;
  if (!DecodeObject(header_b64, &header)) return Refused("Invalid token");
  std::string alg, typ;
  if (!GetString(header, "alg", &alg) || alg != "HS256") return Refused("Invalid token");
  if (header.count("typ") && (!GetString(header, "typ", &typ) || typ != "JWT")) {
    return Refused("Invalid token");
  }
  if (header.count("crit")) return Refused("Invalid token");

  std::string signature;
  if (!Base64UrlDecode(signature_b64, &signature) ||
      signature.size() != crypto_auth_hmacsha256_BYTES) {
    return Refused("Invalid token");
  }
  std::string expected = HmacSha256(key, token.substr(0, dot2));
  if (sodium_memcmp(expected.data(), signature.data(), expected.size()) != 0) {
    return Refused("Invalid token");
  }

  picojson::object payload;
  if (!DecodeObject(payload_b64, &payload)) return Refused("Invalid token");
  AccessClaims c;
  if (!GetString(payload, "sub", &c.sub) || !GetString(payload, "email", &c.email) ||
      !GetString(payload, "role", &c.role) || !GetString(payload, "sid", &c.sid) ||
      !GetString(payload, "iss", &c.iss) || !GetString(payload, "jti", &c.jti) ||
      !GetInt(payload, "iat", &c.iat) || !GetInt(payload, "exp", &c.exp)) {
    return Refused("Invalid token");
  }
  if (c.iss != issuer) return Refused("Invalid token");
  if (c.iat > now + kClockSkewSeconds) return Refused("Token not yet valid");
  int64_t nbf = 0;
  if (payload.count("nbf") && (!GetInt(payload, "nbf", &nbf) || nbf > now + kClockSkewSeconds)) {
    return Refused("Token not yet valid");
  }
  if (c.exp <= now) return Status::Unauthenticated("Token expired").WithReason("token_expired");
  return c;
}

}  // namespace cairn::auth
