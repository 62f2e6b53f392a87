#pragma once

// How a webhook delivery is signed (API.md §10), twice over so a receiver
// can use either scheme:
//
//   X-Webhook-Id         the event id (evt_…), the same on every try
//   X-Webhook-Timestamp  Unix seconds of this try
//   X-Webhook-Signature  hex HMAC-SHA256, keyed with the secret string as
//                        shown ("whsec_…"), of  timestamp + "." + body
//
//   webhook-id, webhook-timestamp, webhook-signature: the Standard Webhooks
//   specification's headers: "v1," + base64 HMAC-SHA256, keyed with the
//   bytes the secret's base64 part decodes to, of  id + "." + timestamp +
//   "." + body. Its libraries verify these given the secret as shown.
//
// docs/webhooks.md shows a receiver verifying both.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cairn::events {

// A new signing secret: "whsec_" + base64 of 24 random bytes.
std::string NewWebhookSecret();

// The six signature headers for one try, in the order above. The secret
// must be one NewWebhookSecret made.
std::vector<std::pair<std::string, std::string>> SignatureHeaders(std::string_view secret,
                                                                  std::string_view event_id,
                                                                  int64_t timestamp,
                                                                  std::string_view body);

}  // namespace cairn::events
