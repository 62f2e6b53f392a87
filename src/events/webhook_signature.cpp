#include "events/webhook_signature.h"

#include <sodium.h>

#include <cstdlib>

#include "util/digest.h"

namespace cairn::events {

namespace {

constexpr std::string_view kSecretPrefix = "whsec_";
constexpr size_t kSecretBytes = 24;

std::string Base64(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::string Hex(std::string_view bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                 bytes.size());
  out.pop_back();
  return out;
}

// The key bytes of a secret "whsec_<base64>".
std::string StandardKey(std::string_view secret) {
  std::string_view b64 = secret.substr(kSecretPrefix.size());
  std::string key(b64.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(key.data()), key.size(), b64.data(),
                        b64.size(), nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    // Secrets are made by NewWebhookSecret only; anything else is a bug.
    std::abort();
  }
  key.resize(len);
  return key;
}

}  // namespace

std::string NewWebhookSecret() {
  unsigned char bytes[kSecretBytes];
  randombytes_buf(bytes, sizeof bytes);
  std::string secret =
      std::string(kSecretPrefix) + Base64({reinterpret_cast<const char*>(bytes), sizeof bytes});
  sodium_memzero(bytes, sizeof bytes);
  return secret;
}

std::vector<std::pair<std::string, std::string>> SignatureHeaders(std::string_view secret,
                                                                  std::string_view event_id,
                                                                  int64_t timestamp,
                                                                  std::string_view body) {
  std::string ts = std::to_string(timestamp);
  std::string cairn_mac = HmacSha256(secret, ts + "." + std::string(body));
  std::string key = StandardKey(secret);
  std::string standard_mac =
      HmacSha256(key, std::string(event_id) + "." + ts + "." + std::string(body));
  sodium_memzero(key.data(), key.size());
  return {
      {"X-Webhook-Id", std::string(event_id)},
      {"X-Webhook-Timestamp", ts},
      {"X-Webhook-Signature", Hex(cairn_mac)},
      {"webhook-id", std::string(event_id)},
      {"webhook-timestamp", ts},
      {"webhook-signature", "v1," + Base64(standard_mac)},
  };
}

}  // namespace cairn::events
