#include "events/webhook_target.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace cairn::events {
namespace {

// The field error code of a refusal, or "ok".
template <typename T>
std::string CodeOf(const Result<T>& r) {
  if (r.ok()) return "ok";
  if (r.status().details().empty()) return "no details";
  return r.status().details()[0].code;
}

std::string ReasonOf(const char* text) {
  std::optional<IpAddress> a = IpAddress::Parse(text);
  if (!a) return "unparsable";
  const char* reason = NonPublicReason(*a);
  return reason ? reason : "public";
}

IpAddress Ip(const char* text) {
  std::optional<IpAddress> a = IpAddress::Parse(text);
  REQUIRE(a.has_value());
  return *a;
}

// A resolver that answers from a fixed list and counts its calls.
struct FakeResolver {
  std::vector<IpAddress> answer;
  int calls = 0;
  Resolver AsResolver() {
    return [this](const std::string&) -> Result<std::vector<IpAddress>> {
      ++calls;
      return answer;
    };
  }
};

TEST_CASE("webhook URLs that are usable are taken apart into scheme, host, port and target") {
  struct Good {
    const char* url;
    const char* scheme;
    const char* host;
    int port;
    const char* target;
    bool literal;
  };
  const Good cases[] = {
      {"https://example.com", "https", "example.com", 443, "/", false},
      {"http://example.com/", "http", "example.com", 80, "/", false},
      {"http://Example.COM./hooks?a=1&b=%20", "http", "example.com", 80, "/hooks?a=1&b=%20", false},
      {"HTTPS://hooks.example.com:8443/x/y", "https", "hooks.example.com", 8443, "/x/y", false},
      {"http://example.com?x=1", "http", "example.com", 80, "/?x=1", false},
      {"https://a-b.c0.example:1/", "https", "a-b.c0.example", 1, "/", false},
      {"https://xn--bcher-kva.example:65535", "https", "xn--bcher-kva.example", 65535, "/", false},
      {"http://localhost/", "http", "localhost", 80, "/", false},  // refused when resolved
      {"http://0x7f.example.com/", "http", "0x7f.example.com", 80, "/", false},
      {"http://203.0.113.7:8080/p", "http", "203.0.113.7", 8080, "/p", true},
      {"http://127.0.0.1./", "http", "127.0.0.1", 80, "/", true},  // refused when resolved
      {"http://[2001:DB8:0:0::1]/", "http", "2001:db8::1", 80, "/", true},
      {"https://[::ffff:127.0.0.1]:8443", "https", "::ffff:127.0.0.1", 8443, "/", true},
  };
  for (const Good& c : cases) {
    INFO(c.url);
    Result<WebhookUrl> u = ParseWebhookUrl(c.url);
    REQUIRE(u.ok());
    CHECK(u->scheme == c.scheme);
    CHECK(u->host == c.host);
    CHECK(u->port == c.port);
    CHECK(u->target == c.target);
    CHECK(u->host_is_literal == c.literal);
  }
}

TEST_CASE("webhook URL hosts may be up to 253 characters in labels of up to 63") {
  std::string label63(63, 'a');
  std::string host253 = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'b');
  REQUIRE(host253.size() == 253);
  CHECK(ParseWebhookUrl("https://" + host253 + "/").ok());
  CHECK(ParseWebhookUrl("https://" + host253 + "./").ok());
  CHECK(CodeOf(ParseWebhookUrl("https://" + host253 + "b/")) == "invalid_host");
  CHECK(CodeOf(ParseWebhookUrl("https://" + label63 + "a.example/")) == "invalid_host");

  std::string path(kMaxWebhookUrlBytes - std::string("https://example.com").size(), 'p');
  path[0] = '/';
  CHECK(ParseWebhookUrl("https://example.com" + path).ok());
  CHECK(CodeOf(ParseWebhookUrl("https://example.com" + path + "p")) == "too_long");
}

TEST_CASE("webhook URLs that are not usable are refused with a code saying why") {
  struct Bad {
    std::string url;
    const char* code;
  };
  const Bad cases[] = {
      {"", "invalid_format"},
      {"example.com/hook", "invalid_format"},
      {"/relative/path", "invalid_format"},
      {"://example.com/", "invalid_format"},
      {"1http://example.com/", "invalid_format"},
      {"http:example.com", "invalid_format"},
      {"http:/example.com", "invalid_format"},
      {"ftp://example.com/", "unsupported_scheme"},
      {"file:///etc/passwd", "unsupported_scheme"},
      {"gopher://127.0.0.1:6379/_FLUSHALL", "unsupported_scheme"},
      {"javascript:alert(1)", "unsupported_scheme"},
      {"httpx://example.com/", "unsupported_scheme"},
      {"https://user:pass@example.com/", "userinfo_not_allowed"},
      {"https://user@example.com/", "userinfo_not_allowed"},
      {"https://example.com@10.0.0.1/", "userinfo_not_allowed"},
      {"http://evil.example\\@127.0.0.1/", "userinfo_not_allowed"},
      {"https://example.com/#frag", "fragment_not_allowed"},
      {"https://example.com#", "fragment_not_allowed"},
      {"http://exa mple.com/", "invalid_character"},
      {"http://example.com/a b", "invalid_character"},
      {"http://example.com/\t", "invalid_character"},
      {"http://example.com\r\nHost: internal/", "invalid_character"},
      {std::string("http://example.com\0.internal/", 29), "invalid_character"},
      {"http://example.com/\x7f", "invalid_character"},
      {"http://ex\xc3\xa4mple.com/", "invalid_character"},
      {"http:///path", "invalid_host"},
      {"http://:80/", "invalid_host"},
      {"http://?x", "invalid_host"},
      {"http://./", "invalid_host"},
      {"http://a..b/", "invalid_host"},
      {"http://.example.com/", "invalid_host"},
      {"http://exa_mple.com/", "invalid_host"},
      {"http://-example.com/", "invalid_host"},
      {"http://example-.com/", "invalid_host"},
      {"http://%31%32%37.0.0.1/", "invalid_host"},
      {"http://127.0.0.1\\.evil.example/", "invalid_host"},
      {"http://::1/", "invalid_host"},
      {"http://[::1/", "invalid_host"},
      {"http://[::1]x/", "invalid_host"},
      {"http://[]/", "invalid_host"},
      {"http://[fe80::1%eth0]/", "invalid_host"},
      {"http://[fe80::1%25eth0]/", "invalid_host"},
      {"http://[127.0.0.1]/", "invalid_host"},
      {"http://[v1.abc]/", "invalid_host"},
      {"http://example.com:/", "invalid_port"},
      {"http://example.com:0/", "invalid_port"},
      {"http://example.com:65536/", "invalid_port"},
      {"http://example.com:123456/", "invalid_port"},
      {"http://example.com:-1/", "invalid_port"},
      {"http://example.com:80a/", "invalid_port"},
      {"http://example.com:+80/", "invalid_port"},
      {"http://[::1]:/", "invalid_port"},
      {"http://example.com:80:80/", "invalid_host"},
  };
  for (const Bad& c : cases) {
    INFO(c.url);
    Result<WebhookUrl> u = ParseWebhookUrl(c.url);
    REQUIRE_FALSE(u.ok());
    CHECK(u.status().code() == Code::kValidation);
    REQUIRE(u.status().details().size() == 1);
    CHECK(u.status().details()[0].field == "url");
    CHECK(u.status().details()[0].code == c.code);
  }
}

TEST_CASE(
    "webhook URLs with numeric hosts other than a dotted quad are refused, not read as IPv4") {
  // getaddrinfo would read each of these as 127.0.0.1 (or another IPv4
  // address); the parser gives them no reading at all.
  for (const char* url :
       {"http://2130706433/", "http://0x7f.1/", "http://127.1/", "http://0x7f000001/",
        "http://017700000001/", "http://0177.0.0.1/", "http://127.0.0.01/", "http://127.0.0.1.1/",
        "http://1.2.3.256/", "http://0x7F.0.0.1/", "http://example.123/", "http://example.0x1/"}) {
    INFO(url);
    CHECK(CodeOf(ParseWebhookUrl(url)) == "invalid_host");
  }
}

TEST_CASE(
    "a numeric webhook host that slipped past the parser is still refused by the address check") {
  // Hand-built, as if a URL had been stored before the parser refused these.
  WebhookUrl url{"http", "2130706433", 80, "/", false};
  Result<IpAddress> ip = ResolveWebhookTarget(url, SystemResolver(), false);
  CHECK(CodeOf(ip) == "private_address");
  url.host = "0x7f.1";
  CHECK(CodeOf(ResolveWebhookTarget(url, SystemResolver(), false)) == "private_address");
}

TEST_CASE("webhook target addresses parse strictly and print in their canonical form") {
  struct Good {
    const char* text;
    bool v6;
    const char* printed;
  };
  const Good good[] = {
      {"203.0.113.7", false, "203.0.113.7"},
      {"0.0.0.0", false, "0.0.0.0"},
      {"2001:DB8::1", true, "2001:db8::1"},
      {"::1", true, "::1"},
      {"::ffff:127.0.0.1", true, "::ffff:127.0.0.1"},
      {"2606:4700:4700:0:0:0:0:1111", true, "2606:4700:4700::1111"},
  };
  for (const Good& g : good) {
    INFO(g.text);
    std::optional<IpAddress> a = IpAddress::Parse(g.text);
    REQUIRE(a.has_value());
    CHECK(a->v6 == g.v6);
    CHECK(a->ToString() == g.printed);
  }
  CHECK(Ip("10.0.0.5").bytes == std::array<uint8_t, 16>{10, 0, 0, 5});
  for (std::string bad : {"", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.256", " 1.2.3.4", "1.2.3.4 ",
                          "1.2.3.4/24", "0x7f.0.0.1", "2130706433", "127.1", "[::1]",
                          "fe80::1%eth0", "::1::", "12345::", "example.com"}) {
    INFO(bad);
    CHECK_FALSE(IpAddress::Parse(bad).has_value());
  }
  CHECK_FALSE(IpAddress::Parse(std::string("1.2.3.4\0junk", 12)).has_value());
}

TEST_CASE("each address is classed as public or by why it must not be a webhook target") {
  struct Case {
    const char* address;
    const char* reason;
  };
  // clang-format off: the table reads best grouped by range.
  const Case cases[] = {
      // Public: well-known resolvers and sites, and the edges of the ranges.
      {"8.8.8.8", "public"},
      {"1.1.1.1", "public"},
      {"93.184.216.34", "public"},
      {"9.255.255.255", "public"},
      {"11.0.0.0", "public"},
      {"100.63.255.255", "public"},
      {"100.128.0.0", "public"},
      {"126.255.255.255", "public"},
      {"128.0.0.0", "public"},
      {"169.253.255.255", "public"},
      {"169.255.0.0", "public"},
      {"172.15.255.255", "public"},
      {"172.32.0.0", "public"},
      {"192.0.1.1", "public"},
      {"192.0.3.0", "public"},
      {"192.167.255.255", "public"},
      {"192.169.0.0", "public"},
      {"198.17.255.255", "public"},
      {"198.20.0.0", "public"},
      {"223.255.255.255", "public"},
      {"2606:4700:4700::1111", "public"},
      {"2001:4860:4860::8888", "public"},
      {"2a00:1450:4001::1", "public"},
      {"::ffff:8.8.8.8", "public"},
      {"64:ff9b::808:808", "public"},  // NAT64 of 8.8.8.8
      {"2002:808:808::1", "public"},   // 6to4 of 8.8.8.8
      {"2001:200::1", "public"},       // just past 2001::/23
      // IPv4.
      {"0.0.0.0", "unspecified"},
      {"0.1.2.3", "unspecified"},
      {"10.0.0.5", "private"},
      {"10.255.255.255", "private"},
      {"172.16.0.1", "private"},
      {"172.31.255.255", "private"},
      {"192.168.0.1", "private"},
      {"192.168.255.255", "private"},
      {"100.64.0.1", "shared (carrier-grade NAT)"},
      {"100.127.255.255", "shared (carrier-grade NAT)"},
      {"127.0.0.1", "loopback"},
      {"127.255.255.254", "loopback"},
      {"169.254.169.254", "link-local"},
      {"169.254.0.1", "link-local"},
      {"192.0.0.8", "IETF protocol assignment"},
      {"192.0.0.170", "IETF protocol assignment"},
      {"192.0.2.1", "documentation"},
      {"198.51.100.7", "documentation"},
      {"203.0.113.7", "documentation"},
      {"198.18.0.1", "benchmarking"},
      {"198.19.255.255", "benchmarking"},
      {"192.88.99.1", "reserved"},
      {"224.0.0.1", "multicast"},
      {"239.255.255.250", "multicast"},
      {"240.0.0.1", "reserved"},
      {"255.255.255.254", "reserved"},
      {"255.255.255.255", "broadcast"},
      // IPv6.
      {"::", "unspecified"},
      {"::1", "loopback"},
      {"::ffff:127.0.0.1", "loopback"},
      {"::ffff:10.0.0.1", "private"},
      {"::ffff:169.254.169.254", "link-local"},
      {"::ffff:0.0.0.0", "unspecified"},
      {"::127.0.0.1", "loopback"},
      {"::10.0.0.1", "private"},
      {"::8.8.8.8", "reserved"},  // IPv4-compatible: deprecated even when public
      {"::2", "unspecified"},     // ::0.0.0.2
      {"64:ff9b::7f00:1", "loopback"},
      {"64:ff9b::a00:1", "private"},
      {"64:ff9b::c0a8:101", "private"},
      {"64:ff9b:1::8.8.8.8", "private"},
      {"100::1", "discard-only"},
      {"2001::1", "Teredo"},
      {"2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"},
      {"2001:2::1", "benchmarking"},
      {"2001:10::1", "IETF protocol assignment"},
      {"2001:1ff::1", "IETF protocol assignment"},
      {"2001:db8::1", "documentation"},
      {"3fff::1", "documentation"},
      {"2002:7f00:1::1", "loopback"},
      {"2002:a00:1::1", "private"},
      {"2002:a9fe:a9fe::1", "link-local"},
      {"fc00::1", "private"},
      {"fd12:3456:789a::1", "private"},
      {"fe80::1", "link-local"},
      {"febf:ffff::1", "link-local"},
      {"fec0::1", "site-local"},
      {"feff::1", "site-local"},
      {"ff02::1", "multicast"},
      {"ff05::1:3", "multicast"},
      {"::ffff:0:7f00:1", "reserved"},  // SIIT IPv4-translated
      {"1000::1", "reserved"},
      {"4000::1", "reserved"},
      {"5f00::1", "reserved"},
      {"fe00::1", "reserved"},
  };
  // clang-format on
  for (const Case& c : cases) {
    INFO(c.address);
    CHECK(ReasonOf(c.address) == c.reason);
  }
}

TEST_CASE("a literal webhook host is checked itself and never sent to the resolver") {
  FakeResolver fake;
  Resolver resolve = fake.AsResolver();
  Result<IpAddress> ok = ResolveWebhookTarget(*ParseWebhookUrl("https://8.8.8.8/"), resolve, false);
  REQUIRE(ok.ok());
  CHECK(*ok == Ip("8.8.8.8"));
  Result<IpAddress> v6 =
      ResolveWebhookTarget(*ParseWebhookUrl("https://[2606:4700:4700::1111]/"), resolve, false);
  REQUIRE(v6.ok());
  CHECK(v6->ToString() == "2606:4700:4700::1111");

  for (const char* url : {"http://127.0.0.1/", "http://[::1]/", "http://[::ffff:127.0.0.1]/",
                          "http://169.254.169.254/latest/meta-data/", "http://10.0.0.5:6379/",
                          "http://0.0.0.0:8080/", "http://[fd00::1]/"}) {
    INFO(url);
    Result<IpAddress> r = ResolveWebhookTarget(*ParseWebhookUrl(url), resolve, false);
    CHECK(CodeOf(r) == "private_address");
  }
  CHECK(fake.calls == 0);

  Result<IpAddress> refused =
      ResolveWebhookTarget(*ParseWebhookUrl("http://127.0.0.1/"), resolve, false);
  CHECK(refused.status().details()[0].message == "url points at 127.0.0.1, a loopback address");
  CHECK(refused.status().details()[0].field == "url");
  Result<IpAddress> allowed =
      ResolveWebhookTarget(*ParseWebhookUrl("http://127.0.0.1/"), resolve, true);
  REQUIRE(allowed.ok());
  CHECK(*allowed == Ip("127.0.0.1"));
}

TEST_CASE("a webhook host whose addresses are all public gives the first one to connect to") {
  FakeResolver fake{{Ip("93.184.216.34"), Ip("2606:2800:220:1:248:1893:25c8:1946")}};
  Result<IpAddress> ip =
      ResolveWebhookTarget(*ParseWebhookUrl("https://example.com/hook"), fake.AsResolver(), false);
  REQUIRE(ip.ok());
  CHECK(*ip == Ip("93.184.216.34"));
  CHECK(fake.calls == 1);
}

TEST_CASE(
    "a webhook host with one non-public address among public ones is refused, wherever it is") {
  // DNS rebinding and mixed answers: the connection might get any of them.
  const std::vector<std::vector<IpAddress>> answers = {
      {Ip("10.0.0.5")},
      {Ip("93.184.216.34"), Ip("10.0.0.5")},
      {Ip("10.0.0.5"), Ip("93.184.216.34")},
      {Ip("93.184.216.34"), Ip("2606:4700:4700::1111"), Ip("::ffff:127.0.0.1")},
  };
  for (const auto& answer : answers) {
    FakeResolver fake{answer};
    Result<IpAddress> r =
        ResolveWebhookTarget(*ParseWebhookUrl("https://rebind.example/"), fake.AsResolver(), false);
    CHECK(CodeOf(r) == "private_address");
  }
  FakeResolver one{{Ip("93.184.216.34"), Ip("10.0.0.5")}};
  Result<IpAddress> r =
      ResolveWebhookTarget(*ParseWebhookUrl("https://rebind.example/"), one.AsResolver(), false);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kValidation);
  CHECK(r.status().details()[0].message == "url resolves to 10.0.0.5, a private address");
}

TEST_CASE("allow_private lets a webhook reach private and loopback addresses") {
  FakeResolver fake{{Ip("127.0.0.1"), Ip("::1")}};
  Result<IpAddress> ip =
      ResolveWebhookTarget(*ParseWebhookUrl("http://localhost:3000/"), fake.AsResolver(), true);
  REQUIRE(ip.ok());
  CHECK(*ip == Ip("127.0.0.1"));
  CHECK(CodeOf(ResolveWebhookTarget(*ParseWebhookUrl("http://localhost:3000/"), fake.AsResolver(),
                                    false)) == "private_address");
}

TEST_CASE("a webhook host that resolves to nothing is refused as unresolvable") {
  FakeResolver fake;
  Result<IpAddress> r =
      ResolveWebhookTarget(*ParseWebhookUrl("https://nothing.example/"), fake.AsResolver(), true);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kValidation);
  CHECK(CodeOf(r) == "unresolvable");
  CHECK(r.status().details()[0].message == "url host does not resolve");
}

TEST_CASE("a webhook resolver that fails passes its status through, not a validation error") {
  Resolver down = [](const std::string&) -> Result<std::vector<IpAddress>> {
    return Status::Unavailable("dns down");
  };
  Result<IpAddress> r = ResolveWebhookTarget(*ParseWebhookUrl("https://example.com/"), down, false);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kUnavailable);
}

TEST_CASE(
    "the system resolver finds localhost at a loopback address, which a webhook may not use") {
  // localhost comes from /etc/hosts (or glibc's built-in answer): no network needed.
  Result<std::vector<IpAddress>> addrs = SystemResolver()("localhost");
  REQUIRE(addrs.ok());
  REQUIRE_FALSE(addrs->empty());
  for (const IpAddress& a : *addrs) {
    INFO(a.ToString());
    CHECK(std::string(NonPublicReason(a) ? NonPublicReason(a) : "public") == "loopback");
  }
  Result<IpAddress> r =
      ResolveWebhookTarget(*ParseWebhookUrl("http://localhost/"), SystemResolver(), false);
  CHECK(CodeOf(r) == "private_address");
}

TEST_CASE("the webhook system resolver reads IP literals without asking DNS") {
  Result<std::vector<IpAddress>> v4 = SystemResolver()("203.0.113.7");
  REQUIRE(v4.ok());
  REQUIRE(v4->size() == 1);
  CHECK((*v4)[0] == Ip("203.0.113.7"));
  Result<std::vector<IpAddress>> v6 = SystemResolver()("2001:db8::1");
  REQUIRE(v6.ok());
  REQUIRE(v6->size() == 1);
  CHECK((*v6)[0] == Ip("2001:db8::1"));
}

}  // namespace
}  // namespace cairn::events
