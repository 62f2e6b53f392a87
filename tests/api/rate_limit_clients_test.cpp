// Rate limiting over HTTP (API.md §8), the clients: X-Forwarded-For with and
// without TRUST_PROXY, IPv6 /64 keys, exactness under concurrency, spraying
// past RATE_LIMIT_MAX_KEYS, the log line of a first refusal, and the client
// address in every request's log line.

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <latch>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "accounts.h"
#include "harness.h"
#include "rate_limits.h"

using namespace cairn::test;

TEST_CASE("without TRUST_PROXY, X-Forwarded-For is ignored") {
  std::map<std::string, std::string> env = {{"RATE_LIMIT_ANON", "5/1m"}};
  SUBCASE("unset") {}
  SUBCASE("0") { env["TRUST_PROXY"] = "0"; }
  SUBCASE("false") { env["TRUST_PROXY"] = "false"; }
  ServerProcess server(Limited(env));
  auto cli = server.Client();
  for (int i = 1; i <= 5; ++i) {
    Spend(cli, 1, "/api/v1", Forwarded("203.0.113." + std::to_string(i)));
  }
  CheckRefusal(cli.Get("/api/v1", Forwarded("203.0.113.99")));
  CheckRefusal(cli.Get("/api/v1", Forwarded("2001:db8::1")));
  CheckRefusal(cli.Get("/api/v1"));
}

TEST_CASE("with TRUST_PROXY, the client is the address the trusted proxy saw") {
  // `via`: what the trusted proxies between the client's and the server's
  // own hop append to X-Forwarded-For.
  std::string trust;
  std::string via;
  SUBCASE("one hop") { trust = "1"; }
  SUBCASE("true") { trust = "true"; }
  SUBCASE("two hops") {
    trust = "2";
    via = ", 10.0.0.1";
  }
  SUBCASE("the proxy's address as a CIDR") { trust = "127.0.0.1/32"; }
  SUBCASE("a list of ranges naming both proxies") {
    trust = "10.0.0.0/8, 127.0.0.1";
    via = ", 10.1.2.3";
  }
  CAPTURE(trust);
  ServerProcess server(Limited({{"RATE_LIMIT_ANON", "5/1m"}, {"TRUST_PROXY", trust}}));
  auto cli = server.Client();

  // Whatever a client writes left of the proxy's entry is not the client.
  for (int i = 1; i <= 5; ++i) {
    Spend(cli, 1, "/api/v1", Forwarded("198.51.100." + std::to_string(i) + ", 203.0.113.7" + via));
  }
  CheckRefusal(cli.Get("/api/v1", Forwarded("198.51.100.99, 203.0.113.7" + via)));
  CheckRefusal(cli.Get("/api/v1", Forwarded("203.0.113.7" + via)));
  // The same IPv4 address, written as IPv6.
  CheckRefusal(cli.Get("/api/v1", Forwarded("::ffff:203.0.113.7" + via)));
  auto both = cli.Get(
      "/api/v1", {{"X-Forwarded-For", "198.51.100.1"}, {"X-Forwarded-For", "203.0.113.7" + via}});
  CheckRefusal(both);  // two headers are one list

  // Another address has a bucket of its own.
  auto other = cli.Get("/api/v1", Forwarded("203.0.113.8" + via));
  REQUIRE(other);
  CHECK(other->status == 200);
  CHECK(HeaderInt(other, "X-RateLimit-Remaining") == 4);
  // So does the proxy itself, when a request carries no header.
  auto direct = cli.Get("/api/v1");
  REQUIRE(direct);
  CHECK(direct->status == 200);
  CHECK(HeaderInt(direct, "X-RateLimit-Remaining") == 4);
}

TEST_CASE("with TRUST_PROXY, a forwarded entry that is not an address counts as the peer") {
  ServerProcess server(Limited({{"RATE_LIMIT_ANON", "3/1m"}, {"TRUST_PROXY", "1"}}));
  auto cli = server.Client();
  Spend(cli, 3);
  for (std::string forged : {"not-an-ip", "unknown", "", "999.1.1.1", "203.0.113.7:1234"}) {
    INFO(forged);
    CheckRefusal(cli.Get("/api/v1", Forwarded(forged)));
  }
}

namespace {

// The request line of the one GET /api/v1 the server logged.
std::string ApiIndexLogLine(const ServerProcess& server) {
  std::string out = server.Stdout();
  size_t at = out.find(R"("path":"/api/v1",)");
  REQUIRE(at != std::string::npos);
  size_t begin = out.rfind('\n', at);
  begin = begin == std::string::npos ? 0 : begin + 1;
  return out.substr(begin, out.find('\n', at) - begin);
}

}  // namespace

TEST_CASE("the request log names the client the rate limits see, not the proxy") {
  std::map<std::string, std::string> env;
  std::string expected;
  SUBCASE("behind a trusted proxy") {
    env["TRUST_PROXY"] = "127.0.0.1";
    expected = R"("ip":"203.0.113.7")";
  }
  SUBCASE("without TRUST_PROXY the header is not believed") {
    expected = R"("ip":"127.0.0.1")";
  }
  ServerProcess server(Limited(env));
  auto cli = server.Client();
  REQUIRE(cli.Get("/api/v1", Forwarded("203.0.113.7")));
  REQUIRE(server.Stop() == 0);
  std::string line = ApiIndexLogLine(server);
  INFO(line);
  CHECK(line.find(expected) != std::string::npos);
}

TEST_CASE("IPv6 clients are counted by their /64") {
  ServerProcess server(Limited({{"RATE_LIMIT_ANON", "5/1m"}, {"TRUST_PROXY", "1"}}));
  auto cli = server.Client();
  const char* same64[] = {"2001:db8:1:2::1", "2001:db8:1:2::ffff",
                          "2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:DB8:1:2::2", "2001:db8:1:2::1"};
  for (std::string ip : same64) {
    INFO(ip);
    Spend(cli, 1, "/api/v1", Forwarded(ip));
  }
  CheckRefusal(cli.Get("/api/v1", Forwarded("2001:db8:1:2::ffff")));
  CheckRefusal(cli.Get("/api/v1", Forwarded("2001:0db8:0001:0002:0000:0000:0000:0009")));

  auto next64 = cli.Get("/api/v1", Forwarded("2001:db8:1:3::1"));
  REQUIRE(next64);
  CHECK(next64->status == 200);
  CHECK(HeaderInt(next64, "X-RateLimit-Remaining") == 4);
}

TEST_CASE("64 simultaneous requests under a rule of 10 get exactly 10 answers") {
  ServerProcess server(Limited({{"RATE_LIMIT_ANON", "10/1m"}}));
  constexpr int kThreads = 64;
  std::vector<int> statuses(kThreads, -1);
  std::latch ready(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      httplib::Client cli("127.0.0.1", server.port());
      cli.set_read_timeout(10, 0);
      ready.arrive_and_wait();
      auto res = cli.Get("/api/v1");
      statuses[static_cast<size_t>(i)] = res ? res->status : -1;
    });
  }
  for (std::thread& t : threads) t.join();
  int ok = 0;
  int refused = 0;
  int other = 0;
  for (int s : statuses) {
    if (s == 200) {
      ++ok;
    } else if (s == 429) {
      ++refused;
    } else {
      ++other;
    }
  }
  CHECK(ok == 10);
  CHECK(refused == 54);
  CHECK(other == 0);
}


TEST_CASE("the first refusal of a client is logged once, not every refused request") {
  ServerProcess server(Limited({{"RATE_LIMIT_ANON", "2/1m"}, {"TRUST_PROXY", "1"}}));
  auto cli = server.Client();
  Spend(cli, 2, "/api/v1", Forwarded("203.0.113.7"));
  std::string request_id;
  for (int i = 0; i < 5; ++i) {
    auto res = cli.Get("/api/v1", Forwarded("203.0.113.7"));
    CheckRefusal(res);
    if (i == 0) request_id = res->get_header_value("X-Request-ID");
  }
  std::vector<picojson::object> lines = LogEvents(server, "rate_limited");
  REQUIRE(lines.size() == 1);
  CHECK(GetStr(lines[0], "policy") == "anonymous");
  CHECK(GetStr(lines[0], "key").find("203.0.113.7") != std::string::npos);
  CHECK(Get(lines[0], "retryAfter").is<int64_t>());
  CHECK(Get(lines[0], "retryAfter").get<int64_t>() >= 1);

  // Another client's first refusal is its own line.
  Spend(cli, 2, "/api/v1", Forwarded("203.0.113.8"));
  for (int i = 0; i < 3; ++i) CheckRefusal(cli.Get("/api/v1", Forwarded("203.0.113.8")));
  lines = LogEvents(server, "rate_limited");
  REQUIRE(lines.size() == 2);
  CHECK(GetStr(lines[1], "key").find("203.0.113.8") != std::string::npos);
  // Every refused request still has its own request line, with its status.
  std::vector<picojson::object> requests = LogEvents(server, "request");
  int refused = 0;
  for (const auto& r : requests) {
    if (Get(r, "status").is<int64_t>() && Get(r, "status").get<int64_t>() == 429) ++refused;
  }
  CHECK(refused == 8);
}


TEST_CASE("spraying new addresses past RATE_LIMIT_MAX_KEYS resets nobody's limit") {
  ServerProcess server(Limited(
      {{"RATE_LIMIT_ANON", "5/1m"}, {"TRUST_PROXY", "1"}, {"RATE_LIMIT_MAX_KEYS", "1000"}}));
  auto cli = server.Client();
  Spend(cli, 5, "/api/v1", Forwarded("203.0.113.7"));
  CheckRefusal(cli.Get("/api/v1", Forwarded("203.0.113.7")));

  // 3000 addresses, one request each: each gets a bucket until the table is
  // full, then the newcomers share their shard's overflow bucket.
  int passed = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string ip = "10." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ".1";
    auto res = cli.Get("/api/v1", Forwarded(ip));
    REQUIRE(res);
    REQUIRE((res->status == 200 || res->status == 429));
    if (res->status == 200) ++passed;
  }
  CHECK(passed >= 900);            // about the cap: 64 shards of 15 keys
  CHECK(passed <= 1000 + 64 * 5);  // the cap, plus each overflow bucket's 5
  CHECK(passed < 3000);

  // The limited client is still limited.
  CheckRefusal(cli.Get("/api/v1", Forwarded("203.0.113.7")));
}

TEST_CASE("a client that passed again is logged again at its next first refusal") {
  ServerProcess server(Limited({{"RATE_LIMIT_ANON", "1/1s"}}));
  auto cli = server.Client();
  Spend(cli, 1);
  CheckRefusal(cli.Get("/api/v1"));
  CheckRefusal(cli.Get("/api/v1"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  Spend(cli, 1);
  CheckRefusal(cli.Get("/api/v1"));
  CheckRefusal(cli.Get("/api/v1"));
  CHECK(LogEvents(server, "rate_limited").size() == 2);
}
