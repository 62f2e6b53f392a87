#pragma once

// The webhook target guard: keeps user-registered webhook URLs from aiming the
// server at itself or at the internal network (SSRF).
//
// Use it in two steps, and connect to what the second returns:
//
//   auto url = ParseWebhookUrl(text);                 // when the URL is registered,
//   auto ip = ResolveWebhookTarget(*url, resolve, allow_private);  // and before each send
//   ... connect to ip:url.port, send Host: url.host, request target url.target ...
//
// The check and the connection must use the same address: resolving the name
// again to connect would let a DNS server answer "public" to the check and
// "127.0.0.1" to the connection (DNS rebinding). For https the caller still
// verifies the certificate against url.host (SNI and verification by name,
// connection by address). Redirects are not followed here; a caller that
// follows one parses and resolves its Location like a new URL.
//
// Refusals are Status::Validation("Request validation failed", {{"url", message, code}})
// with one of these codes:
//   too_long, invalid_character, invalid_format, unsupported_scheme,
//   userinfo_not_allowed, fragment_not_allowed, invalid_host, invalid_port
//       from ParseWebhookUrl;
//   private_address, unresolvable
//       from ResolveWebhookTarget.
// A resolver that cannot answer now (DNS down) gives Unavailable instead:
// the URL may be fine, so try again later rather than blame the user.
//
// Everything here is thread-safe; SystemResolver blocks for as long as the
// system's DNS lookup does (resolv.conf timeouts), so keep it off paths that
// must answer quickly.

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace cairn::events {

// URLs longer than this are refused (bytes).
inline constexpr size_t kMaxWebhookUrlBytes = 2048;

// A webhook URL taken apart.
struct WebhookUrl {
  std::string scheme;  // "http" or "https", lowercased
  // A lowercased DNS name without a trailing dot, or an IP literal in its
  // canonical inet_ntop form (IPv6 without brackets: "2001:db8::1").
  std::string host;
  int port = 0;        // explicit, or 80 / 443 by scheme
  std::string target;  // path and query, "/" when the path is empty; the request target
  bool host_is_literal = false;
};

// Takes a webhook URL apart, or refuses it (codes in the file comment) when it
// is longer than kMaxWebhookUrlBytes; has a control character, space or
// non-ASCII byte anywhere; is not absolute ("scheme://authority..."); has a
// scheme other than http/https (case-insensitive); has userinfo (user:pass@);
// has a fragment (#); has an empty host; has a port that is not 1-65535 in at
// most 5 digits (an empty port too); or has a host that is neither
//   - a DNS name: letters, digits, hyphens, dots; labels of 1-63 characters
//     that neither start nor end with a hyphen; at most 253 characters after
//     one trailing dot is stripped; nor
//   - an IP literal: a dotted-quad IPv4 address (four decimal parts 0-255, no
//     leading zeros) or a bracketed IPv6 address ([::1]); zone ids (%eth0)
//     and IPvFuture ([v1.x]) are refused.
// Numeric hosts in other forms (2130706433, 0x7f.1, 127.1, 0177.0.0.1) are
// refused as invalid_host, as is any host whose last label is a number: the
// system resolver would read them as IPv4 addresses (inet_aton) while they
// look like names, so they get one reading here, "not allowed". (The address
// check would catch them anyway; this keeps the host we show and log honest.)
// The URL is only parsed: nothing is resolved.
Result<WebhookUrl> ParseWebhookUrl(std::string_view url);

// An IPv4 or IPv6 address.
struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // network order; v4 uses the first 4, the rest stay 0

  // The inet_ntop form: "203.0.113.7", "2001:db8::1", "::ffff:127.0.0.1".
  std::string ToString() const;
  // inet_pton, strict: a dotted quad or an IPv6 address, nothing around it
  // (no brackets, zone id, prefix length or whitespace); nullopt otherwise.
  static std::optional<IpAddress> Parse(std::string_view text);

  bool operator==(const IpAddress&) const = default;
};

// Why an address must not be a webhook target, as a phrase that reads before
// "address": "unspecified", "loopback", "private", "shared (carrier-grade NAT)",
// "link-local", "site-local", "IETF protocol assignment", "documentation",
// "benchmarking", "multicast", "broadcast", "discard-only", "Teredo",
// "reserved". nullptr when it is a public unicast address. IPv6 forms that
// carry an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64 64:ff9b::/96,
// 6to4) are judged by that address, so ::ffff:127.0.0.1 is "loopback".
const char* NonPublicReason(const IpAddress& a);

// Resolves a host name to all its addresses, IPv4 and IPv6, in the order a
// connection should try them. Returns an empty list when the name does not
// exist or has no addresses, and a non-OK Status (Unavailable) only when the
// lookup could not be done now. Injectable so tests need no DNS.
using Resolver = std::function<Result<std::vector<IpAddress>>(const std::string& host)>;

// getaddrinfo(AF_UNSPEC, SOCK_STREAM), duplicates removed. EAI_NONAME and
// EAI_NODATA give an empty list; EAI_AGAIN, EAI_FAIL and other failures give
// Unavailable (the cause is logged, not returned). No AI_ADDRCONFIG: every
// address the name has is checked, whether or not this host could reach it.
Resolver SystemResolver();

// The address to connect to for url: url.host itself when it is a literal
// (the resolver is not called), else the first address resolve returns.
// Refused with code private_address ("url resolves to 10.0.0.5, a private
// address") when the literal, or ANY resolved address, is not public
// (NonPublicReason) and allow_private is false: a name with one private
// address among public ones is refused, since which one a later lookup or
// connection would pick is not ours to choose. allow_private
// (WEBHOOK_ALLOW_PRIVATE=1) is for local development only. A name that
// resolves to nothing is refused with code unresolvable; a resolver failure
// is returned as is (Unavailable from SystemResolver).
Result<IpAddress> ResolveWebhookTarget(const WebhookUrl& url, const Resolver& resolve,
                                       bool allow_private);

}  // namespace cairn::events
