#pragma once

// Who the client is, for rate limiting and logs (API.md §8): the socket's
// peer address, or with TRUST_PROXY the address the trusted proxies saw,
// read from X-Forwarded-For from the right. Without TRUST_PROXY the header is
// ignored: anyone can write it.
//
// TRUST_PROXY: "0" (default) trusts nobody; "1" or "true" trusts one hop
// (the peer is the proxy); a number N trusts N hops; a comma list of
// addresses and CIDR ranges ("10.0.0.0/8,fd00::/8") trusts exactly those
// proxies, wherever they are in the chain.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "http/httplib_config.h"
#include "util/status.h"

namespace cairn::http {

class ProxyTrust {
 public:
  ProxyTrust() = default;  // trusts nobody
  static Result<ProxyTrust> Parse(std::string_view setting);

  // The client's address for this request.
  std::string ClientIp(const httplib::Request& req) const;
  std::string ClientIp(std::string_view peer, std::string_view forwarded_for) const;

 private:
  struct Range {
    std::array<uint8_t, 16> addr{};
    int prefix = 0;  // bits, over the 16-byte (v4-mapped) form
  };
  bool Trusted(std::string_view ip) const;

  int hops_ = 0;
  std::vector<Range> ranges_;
};

// The rate-limit key of an address: an IPv4 address as is, an IPv6 address
// by its /64 (one subscriber usually holds a whole /64), IPv4-mapped IPv6 as
// the IPv4 address.
std::string IpKey(std::string_view ip);

}  // namespace cairn::http
