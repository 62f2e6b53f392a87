#include "http/client_ip.h"

#include <doctest/doctest.h>

namespace cairn::http {
namespace {

TEST_CASE("without TRUST_PROXY the peer is the client, whatever X-Forwarded-For says") {
  ProxyTrust none;
  CHECK(none.ClientIp("10.0.0.5", "203.0.113.7") == "10.0.0.5");
  for (const char* off : {"0", "", "false"})
    CHECK(ProxyTrust::Parse(off)->ClientIp("10.0.0.5", "1.2.3.4") == "10.0.0.5");
}

TEST_CASE("N trusted hops: the entry N from the right") {
  auto one = ProxyTrust::Parse("1");
  REQUIRE(one.ok());
  CHECK(one->ClientIp("10.0.0.5", "203.0.113.7") == "203.0.113.7");
  // A client can prepend anything; only the proxy's own entry counts.
  CHECK(one->ClientIp("10.0.0.5", "6.6.6.6, 203.0.113.7") == "203.0.113.7");
  CHECK(one->ClientIp("10.0.0.5", "") == "10.0.0.5");
  CHECK(ProxyTrust::Parse("true")->ClientIp("10.0.0.5", "203.0.113.7") == "203.0.113.7");
  auto two = ProxyTrust::Parse("2");
  CHECK(two->ClientIp("10.0.0.5", "6.6.6.6, 203.0.113.7, 10.0.0.9") == "203.0.113.7");
  CHECK(two->ClientIp("10.0.0.5", "203.0.113.7") == "203.0.113.7");  // fewer: leftmost
  // Garbage where the client should be: the peer, not the garbage.
  CHECK(one->ClientIp("10.0.0.5", "not-an-ip") == "10.0.0.5");
}

TEST_CASE("a list of trusted proxies: the first untrusted address from the right") {
  auto t = ProxyTrust::Parse("10.0.0.0/8, 192.168.1.1, fd00::/8");
  REQUIRE(t.ok());
  CHECK(t->ClientIp("10.0.0.5", "203.0.113.7, 192.168.1.1") == "203.0.113.7");
  CHECK(t->ClientIp("10.0.0.5", "6.6.6.6, 203.0.113.7") == "203.0.113.7");
  CHECK(t->ClientIp("203.0.113.9", "1.2.3.4") == "203.0.113.9");  // untrusted peer
  CHECK(t->ClientIp("fd00::1", "2001:db8::7") == "2001:db8::7");
  CHECK(t->ClientIp("10.1.2.3", "10.9.9.9") == "10.9.9.9");  // all trusted: leftmost
  for (const char* bad : {"x", "10.0.0.0/33", "::1/129", "1.2.3.4/", "300.1.1.1", "17"}) {
    INFO(bad);
    CHECK_FALSE(ProxyTrust::Parse(bad).ok());
  }
}

TEST_CASE("IPv6 clients are keyed by their /64, IPv4 as is") {
  CHECK(IpKey("203.0.113.7") == "203.0.113.7");
  CHECK(IpKey("2001:db8:1:2::1") == "2001:db8:1:2::/64");
  CHECK(IpKey("2001:db8:1:2:ffff:ffff:ffff:ffff") == "2001:db8:1:2::/64");
  CHECK(IpKey("2001:db8:1:3::1") == "2001:db8:1:3::/64");
  CHECK(IpKey("::ffff:203.0.113.7") == "203.0.113.7");
  CHECK(IpKey("[2001:db8::1]") == "2001:db8::/64");
}

}  // namespace
}  // namespace cairn::http
