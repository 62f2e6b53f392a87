#include "events/webhook_target.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <memory>

#include "util/log.h"

namespace cairn::events {
namespace {

using Bytes = std::array<uint8_t, 16>;

Status Refuse(std::string message, std::string code) {
  return Status::Validation("Request validation failed",
                            {{"url", std::move(message), std::move(code)}});
}

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string Lowered(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), Lower);
  return out;
}

bool AllOf(std::string_view s, bool (*pred)(char)) { return std::all_of(s.begin(), s.end(), pred); }

// RFC 3986 §3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
bool IsScheme(std::string_view s) {
  if (s.empty() || !IsAlpha(s[0])) return false;
  return AllOf(s,
               [](char c) { return IsAlpha(c) || IsDigit(c) || c == '+' || c == '-' || c == '.'; });
}

// The WHATWG URL standard's "ends in a number": such a host is read as an
// IPv4 address in any of inet_aton's forms (2130706433, 0x7f.1, 127.1), by
// browsers and by getaddrinfo alike. No top-level domain is numeric
// (RFC 3696 §2), so no real name is lost by refusing the non-dotted-quad ones.
bool EndsInNumber(std::string_view host) {
  std::string_view last = host.substr(host.rfind('.') + 1);  // npos + 1 == 0
  if (last.empty()) return false;
  if (AllOf(last, IsDigit)) return true;
  return last.size() >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X') &&
         AllOf(last.substr(2), IsHex);
}

// RFC 1123 §2.1 host names: LDH labels of 1-63, no hyphen at either end.
bool IsDnsName(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  size_t start = 0;
  while (start <= host.size()) {
    size_t end = std::min(host.find('.', start), host.size());
    std::string_view label = host.substr(start, end - start);
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    if (!AllOf(label, [](char c) { return IsAlpha(c) || IsDigit(c) || c == '-'; })) return false;
    start = end + 1;
  }
  return true;
}

// Fills url->host and url->host_is_literal from the authority's host part.
Status ParseHost(std::string_view host, bool bracketed, WebhookUrl* url) {
  if (bracketed) {
    // Zone ids name an interface of this machine: never a remote target.
    if (host.find('%') != std::string_view::npos)
      return Refuse("url host must not have an IPv6 zone id", "invalid_host");
    std::optional<IpAddress> ip = IpAddress::Parse(host);
    if (!ip || !ip->v6)
      return Refuse("url host in brackets must be an IPv6 address", "invalid_host");
    url->host = ip->ToString();
    url->host_is_literal = true;
    return Status::Ok();
  }
  if (host.empty()) return Refuse("url must have a host", "invalid_host");
  std::string name = Lowered(host);
  if (name.size() > 1 && name.back() == '.') name.pop_back();
  if (EndsInNumber(name)) {
    std::optional<IpAddress> ip = IpAddress::Parse(name);
    if (!ip || ip->v6)
      return Refuse("url host must be a DNS name or a dotted-quad IPv4 address", "invalid_host");
    url->host = ip->ToString();
    url->host_is_literal = true;
    return Status::Ok();
  }
  if (!IsDnsName(name))
    return Refuse("url host must be a DNS name or an IP address", "invalid_host");
  url->host = std::move(name);
  return Status::Ok();
}

Status ParsePort(std::string_view text, int* port) {
  if (text.empty() || text.size() > 5 || !AllOf(text, IsDigit))
    return Refuse("url port must be a number from 1 to 65535", "invalid_port");
  int value = 0;
  for (char c : text) value = value * 10 + (c - '0');
  if (value < 1 || value > 65535)
    return Refuse("url port must be a number from 1 to 65535", "invalid_port");
  *port = value;
  return Status::Ok();
}

// Splits "host", "host:port", "[v6]" or "[v6]:port" (userinfo already refused).
Status ParseAuthority(std::string_view authority, WebhookUrl* url) {
  std::string_view host = authority;
  std::string_view port;
  bool has_port = false;
  bool bracketed = !authority.empty() && authority[0] == '[';
  if (bracketed) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return Refuse("url host has no closing ]", "invalid_host");
    host = authority.substr(1, close - 1);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && rest[0] != ':')
      return Refuse("url host must end at ] or be followed by :port", "invalid_host");
    has_port = !rest.empty();
    if (has_port) port = rest.substr(1);
  } else if (size_t colon = authority.find(':'); colon != std::string_view::npos) {
    if (authority.find(':', colon + 1) != std::string_view::npos)
      return Refuse("an IPv6 address in a url must be in brackets", "invalid_host");
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    has_port = true;
  }
  if (Status s = ParseHost(host, bracketed, url); !s.ok()) return s;
  if (has_port) return ParsePort(port, &url->port);
  url->port = url->scheme == "https" ? 443 : 80;
  return Status::Ok();
}

// --- address classes -------------------------------------------------------

constexpr uint32_t V4(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  return a << 24 | b << 16 | c << 8 | d;
}

struct Range4 {
  uint32_t net;
  int bits;
  const char* reason;
};

// IANA's IPv4 Special-Purpose Address Registry (RFC 6890) and friends, less
// the blocks it marks globally reachable. The first match wins.
constexpr Range4 kNonPublic4[] = {
    {V4(0, 0, 0, 0), 8, "unspecified"},  // RFC 1122 §3.2.1.3; Linux connects 0.0.0.0 to itself
    {V4(10, 0, 0, 0), 8, "private"},     // RFC 1918
    {V4(100, 64, 0, 0), 10, "shared (carrier-grade NAT)"},  // RFC 6598
    {V4(127, 0, 0, 0), 8, "loopback"},                      // RFC 1122 §3.2.1.3
    {V4(169, 254, 0, 0), 16, "link-local"},  // RFC 3927; cloud metadata lives at 169.254.169.254
    {V4(172, 16, 0, 0), 12, "private"},      // RFC 1918
    {V4(192, 0, 0, 0), 24, "IETF protocol assignment"},  // RFC 6890 §2.2.2
    {V4(192, 0, 2, 0), 24, "documentation"},             // RFC 5737 TEST-NET-1
    {V4(192, 88, 99, 0), 24, "reserved"},                // RFC 7526: deprecated 6to4 relay anycast
    {V4(192, 168, 0, 0), 16, "private"},                 // RFC 1918
    {V4(198, 18, 0, 0), 15, "benchmarking"},             // RFC 2544
    {V4(198, 51, 100, 0), 24, "documentation"},          // RFC 5737 TEST-NET-2
    {V4(203, 0, 113, 0), 24, "documentation"},           // RFC 5737 TEST-NET-3
    {V4(224, 0, 0, 0), 4, "multicast"},                  // RFC 5771
    {V4(255, 255, 255, 255), 32, "broadcast"},           // RFC 919; inside 240/4, so first
    {V4(240, 0, 0, 0), 4, "reserved"},                   // RFC 1112 §4
};

const char* NonPublicReason4(const uint8_t* b) {
  uint32_t a = V4(b[0], b[1], b[2], b[3]);
  for (const Range4& r : kNonPublic4) {
    uint32_t mask = r.bits == 0 ? 0 : ~uint32_t{0} << (32 - r.bits);
    if ((a & mask) == r.net) return r.reason;
  }
  return nullptr;
}

// An IPv6 network from its leading 16-bit groups: Net6({0x2001, 0xdb8}).
constexpr Bytes Net6(std::initializer_list<uint16_t> groups) {
  Bytes b{};
  size_t i = 0;
  for (uint16_t g : groups) {
    b[i++] = static_cast<uint8_t>(g >> 8);
    b[i++] = static_cast<uint8_t>(g & 0xff);
  }
  return b;
}

bool In6(const Bytes& a, const Bytes& net, int bits) {
  for (int i = 0; bits > 0; ++i, bits -= 8) {
    uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((a[i] & mask) != net[i]) return false;
  }
  return true;
}

struct Range6 {
  Bytes net;
  int bits;
  const char* reason;
};

// IANA's IPv6 Special-Purpose Address Registry (RFC 6890), the blocks that
// carry no IPv4 address. The first match wins, so the narrow ones come first.
const Range6 kNonPublic6[] = {
    {Net6({0x64, 0xff9b, 0x1}), 48, "private"},  // RFC 8215 local-use NAT64
    {Net6({0x100}), 64, "discard-only"},         // RFC 6666
    // Teredo (RFC 4380) hides its client's IPv4 address, inverted, in the low
    // bits and reaches it through a relay; no webhook receiver needs it.
    {Net6({0x2001}), 32, "Teredo"},
    {Net6({0x2001, 0x2}), 48, "benchmarking"},  // RFC 5180
    // The rest of 2001::/23 holds a few anycast services (AMT, AS112) that no
    // webhook receiver lives behind; refusing the block is simpler and safe.
    {Net6({0x2001}), 23, "IETF protocol assignment"},  // RFC 2928
    {Net6({0x2001, 0xdb8}), 32, "documentation"},      // RFC 3849
    {Net6({0x3fff}), 20, "documentation"},             // RFC 9637
    {Net6({0xfc00}), 7, "private"},                    // RFC 4193 unique local
    {Net6({0xfe80}), 10, "link-local"},                // RFC 4291 §2.5.6
    {Net6({0xfec0}), 10, "site-local"},                // RFC 3879: deprecated, local
    {Net6({0xff00}), 8, "multicast"},                  // RFC 4291 §2.7
};

const char* NonPublicReason6(const Bytes& b) {
  static const Bytes kZero{};
  static const Bytes kLoopback = [] {
    Bytes l{};
    l[15] = 1;
    return l;
  }();
  if (b == kZero) return "unspecified";
  if (b == kLoopback) return "loopback";
  // Forms that carry an IPv4 address are as public as that address: a
  // connection to them reaches it (mapped: through this host's own IPv4
  // stack; NAT64 and 6to4: through a translator or relay).
  if (In6(b, Net6({0, 0, 0, 0, 0, 0xffff}), 96)) return NonPublicReason4(&b[12]);  // RFC 4291
  if (In6(b, Net6({0x64, 0xff9b}), 96)) return NonPublicReason4(&b[12]);           // RFC 6052
  if (In6(b, Net6({0x2002}), 16)) return NonPublicReason4(&b[2]);                  // RFC 3056
  // IPv4-compatible (RFC 4291 §2.5.5.1) is deprecated and routes nowhere
  // useful: refused even when the address inside is public.
  if (In6(b, Net6({}), 96)) {
    const char* inner = NonPublicReason4(&b[12]);
    return inner ? inner : "reserved";
  }
  for (const Range6& r : kNonPublic6)
    if (In6(b, r.net, r.bits)) return r.reason;
  // RFC 4291 §2.4: global unicast is allocated from 2000::/3 only; anything
  // else not named above is unassigned or special.
  if (!In6(b, Net6({0x2000}), 3)) return "reserved";
  return nullptr;
}

Status CheckPublic(const IpAddress& a, const char* verb, bool allow_private) {
  if (allow_private) return Status::Ok();
  const char* reason = NonPublicReason(a);
  if (reason == nullptr) return Status::Ok();
  const char* article = std::strchr("aeiouAEIOU", reason[0]) ? "an" : "a";
  return Refuse(
      std::string("url ") + verb + " " + a.ToString() + ", " + article + " " + reason + " address",
      "private_address");
}

}  // namespace

Result<WebhookUrl> ParseWebhookUrl(std::string_view text) {
  if (text.size() > kMaxWebhookUrlBytes)
    return Refuse("url must be at most " + std::to_string(kMaxWebhookUrlBytes) + " bytes",
                  "too_long");
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f)
      return Refuse("url must not contain spaces, control characters or non-ASCII characters",
                    "invalid_character");
  }
  if (text.find('#') != std::string_view::npos)
    return Refuse("url must not have a fragment (#)", "fragment_not_allowed");

  WebhookUrl url;
  size_t colon = text.find(':');
  if (colon == std::string_view::npos || !IsScheme(text.substr(0, colon)))
    return Refuse("url must be an absolute http or https URL", "invalid_format");
  url.scheme = Lowered(text.substr(0, colon));
  if (url.scheme != "http" && url.scheme != "https")
    return Refuse("url scheme must be http or https", "unsupported_scheme");
  std::string_view rest = text.substr(colon + 1);
  if (rest.substr(0, 2) != "//")
    return Refuse("url must be an absolute http or https URL", "invalid_format");
  rest.remove_prefix(2);

  size_t authority_end = std::min(rest.find_first_of("/?"), rest.size());
  std::string_view authority = rest.substr(0, authority_end);
  if (authority.find('@') != std::string_view::npos)
    return Refuse("url must not contain a user name or password", "userinfo_not_allowed");
  if (Status s = ParseAuthority(authority, &url); !s.ok()) return s;

  std::string_view target = rest.substr(authority_end);
  url.target = target.empty() || target[0] == '?' ? "/" + std::string(target) : std::string(target);
  return url;
}

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN];
  if (inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf) == nullptr) return "";
  return buf;
}

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  // inet_pton reads a C string: an embedded NUL would end it early.
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN || text.find('\0') != std::string_view::npos)
    return std::nullopt;
  std::string s(text);
  IpAddress a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) return a;
  a.v6 = true;
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) return a;
  return std::nullopt;
}

const char* NonPublicReason(const IpAddress& a) {
  return a.v6 ? NonPublicReason6(a.bytes) : NonPublicReason4(a.bytes.data());
}

Resolver SystemResolver() {
  return [](const std::string& host) -> Result<std::vector<IpAddress>> {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* list = nullptr;
    int rc = getaddrinfo(host.c_str(), nullptr, &hints, &list);
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owner(list, &freeaddrinfo);
    std::vector<IpAddress> out;
    // "No such name" and "no address of that kind" are answers, not failures.
    if (rc == EAI_NONAME) return out;
#ifdef EAI_NODATA
    if (rc == EAI_NODATA) return out;
#endif
#ifdef EAI_ADDRFAMILY
    if (rc == EAI_ADDRFAMILY) return out;
#endif
    if (rc != 0) {
      log::Warn("webhook_dns_failed").Str("host", host).Str("error", gai_strerror(rc)).Emit();
      return Status::Unavailable("The webhook host could not be looked up; try again later");
    }
    for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
      IpAddress a;
      if (ai->ai_family == AF_INET) {
        const auto* sin = reinterpret_cast<const sockaddr_in*>(ai->ai_addr);
        std::memcpy(a.bytes.data(), &sin->sin_addr, 4);
      } else if (ai->ai_family == AF_INET6) {
        const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(ai->ai_addr);
        a.v6 = true;
        std::memcpy(a.bytes.data(), &sin6->sin6_addr, 16);
      } else {
        continue;
      }
      if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
    }
    return out;
  };
}

Result<IpAddress> ResolveWebhookTarget(const WebhookUrl& url, const Resolver& resolve,
                                       bool allow_private) {
  if (url.host_is_literal) {
    std::optional<IpAddress> ip = IpAddress::Parse(url.host);
    if (!ip) return Refuse("url host must be a DNS name or an IP address", "invalid_host");
    if (Status s = CheckPublic(*ip, "points at", allow_private); !s.ok()) return s;
    return *ip;
  }
  Result<std::vector<IpAddress>> addrs = resolve(url.host);
  if (!addrs.ok()) return addrs.status();
  if (addrs->empty()) return Refuse("url host does not resolve", "unresolvable");
  // Every address, not just the one returned: a name that mixes public and
  // private answers is someone steering us, and the next lookup may reorder.
  for (const IpAddress& a : *addrs)
    if (Status s = CheckPublic(a, "resolves to", allow_private); !s.ok()) return s;
  return addrs->front();
}

}  // namespace cairn::events
