// Rate limiting over HTTP (API.md §8): the headers of a counted request, the
// 429 and its Retry-After, refill, the auth, anonymous, user, merchant and
// admin rules, bad credentials counted as anonymous, X-Forwarded-For with and
// without TRUST_PROXY, exactness under concurrency, the settings and the log.
// Each server gets small rules of its own so the tests stay fast.

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <latch>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "accounts.h"
#include "harness.h"

using namespace cairn::test;

namespace {

// Server options with limiting on and the given RATE_LIMIT_* / TRUST_PROXY
// settings.
ServerProcess::Options Limited(const std::map<std::string, std::string>& env) {
  ServerProcess::Options opts;
  opts.env = env;
  opts.env["RATE_LIMIT_ENABLED"] = "1";
  return opts;
}

int64_t HeaderInt(const httplib::Result& res, const char* name) {
  REQUIRE(res->has_header(name));
  return std::atoll(res->get_header_value(name).c_str());
}

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

httplib::Headers Forwarded(const std::string& xff) { return {{"X-Forwarded-For", xff}}; }

int GetStatus(httplib::Client& cli, const std::string& path, const httplib::Headers& headers = {}) {
  auto res = cli.Get(path, headers);
  REQUIRE(res);
  return res->status;
}

// A 429 as API.md §3 and §8 describe it.
void CheckRefusal(const httplib::Result& res) {
  REQUIRE(res);
  REQUIRE(res->status == 429);
  INFO(res->body);
  auto o = JsonBody(res->body);
  CHECK(Get(o, "success").is<bool>());
  CHECK(Get(o, "success").evaluate_as_boolean() == false);
  CHECK(GetStr(o, "error.code") == "rate_limited");
  CHECK(!GetStr(o, "error.message").empty());
  CHECK(!GetStr(o, "error.requestId").empty());
  CHECK(GetStr(o, "error.requestId") == res->get_header_value("X-Request-ID"));
  int64_t retry = HeaderInt(res, "Retry-After");
  CHECK(retry >= 1);
  REQUIRE(Get(o, "error.details.retryAfter").is<int64_t>());
  CHECK(Get(o, "error.details.retryAfter").get<int64_t>() == retry);
  CHECK(HeaderInt(res, "X-RateLimit-Remaining") == 0);
}

void CheckUnlimited(const httplib::Result& res) {
  REQUIRE(res);
  CHECK(res->status == 200);
  for (const char* h : {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset",
                        "RateLimit-Policy", "RateLimit", "Retry-After"}) {
    INFO(h);
    CHECK_FALSE(res->has_header(h));
  }
}

// `cairn user create` straight on the database, without signing in (a
// sign-in would count against the auth rule).
void CreateUser(const ServerProcess& server, const std::string& email,
                const std::string& role = "user") {
  CliResult r = RunCli({"user", "create", "--db", server.db_path(), "--email", email, "--password",
                        kPassword, "--role", role});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

std::string LoginBody(const std::string& email, const std::string& password) {
  return R"({"email":")" + email + R"(","password":")" + password + R"("})";
}

// Uses up n requests of GET path, each one passing.
void Spend(httplib::Client& cli, int n, const std::string& path = "/api/v1",
           const httplib::Headers& headers = {}) {
  for (int i = 0; i < n; ++i) {
    auto res = cli.Get(path, headers);
    REQUIRE(res);
    INFO("request " << i + 1 << ": " << res->body);
    REQUIRE(res->status == 200);
  }
}

// The server's JSON log lines whose event is `event`, once the ~100 ms log
// buffer has been flushed.
std::vector<picojson::object> LogEvents(const ServerProcess& server, const std::string& event) {
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  std::vector<picojson::object> out;
  std::stringstream ss(server.Stdout());
  std::string line;
  while (std::getline(ss, line)) {
    if (line.find("\"event\":\"" + event + "\"") == std::string::npos) continue;
    auto o = JsonBody(line);
    if (GetStr(o, "event") == event) out.push_back(o);
  }
  return out;
}

}  // namespace

TEST_CASE("the anonymous rule counts down in its headers, then refuses with a 429") {
  ServerProcess server(Limited({{"RATE_LIMIT_ANON", "5/1m"}}));
  auto cli = server.Client();
  for (int i = 0; i < 5; ++i) {
    int64_t before = Now();
    auto res = cli.Get("/api/v1");
    int64_t after = Now();
    REQUIRE(res);
    CAPTURE(i);
    CHECK(res->status == 200);
    CHECK(HeaderInt(res, "X-RateLimit-Limit") == 5);
    CHECK(HeaderInt(res, "X-RateLimit-Remaining") == 4 - i);
    // Unix time when the bucket is full again: 12 s per request spent.
    int64_t reset = HeaderInt(res, "X-RateLimit-Reset");
    CHECK(reset >= before + 12 * (i + 1));
    CHECK(reset <= after + 12 * (i + 1));
    CHECK(res->get_header_value("RateLimit-Policy") == R"("anonymous";q=5;w=60)");
    CHECK(res->get_header_value("RateLimit")
              .rfind("\"anonymous\";r=" + std::to_string(4 - i) + ";t=", 0) == 0);
    CHECK_FALSE(res->has_header("Retry-After"));
  }
  // Five at once fill the window: the bucket is full again a minute on.
  auto last = cli.Get("/api/v1");
  CheckRefusal(last);
  int64_t retry = HeaderInt(last, "Retry-After");
  CHECK(retry <= 12);  // GCRA: one request back every 60 s / 5
  CHECK(HeaderInt(last, "X-RateLimit-Limit") == 5);
  CHECK(last->get_header_value("RateLimit-Policy") == R"("anonymous";q=5;w=60)");
  int64_t reset = HeaderInt(last, "X-RateLimit-Reset");
  CHECK(reset > Now());
  CHECK(reset <= Now() + 60);

  // Every public route of this client shares the bucket.
  CheckRefusal(cli.Get("/api/v1/openapi.json"));
  // Health checks are never limited and never counted.
  for (const char* path : {"/health", "/api/v1/health", "/health", "/api/v1/health"}) {
    INFO(std::string(path));
    CheckUnlimited(cli.Get(path));
  }
  CheckRefusal(cli.Get("/api/v1"));
}

TEST_CASE("a refused client gets one request back each window/count, after Retry-After") {
  ServerProcess server(Limited({{"RATE_LIMIT_ANON", "2/2s"}}));
  auto cli = server.Client();
  auto first = cli.Get("/api/v1");
  REQUIRE(first);
  CHECK(first->status == 200);
  CHECK(first->get_header_value("RateLimit-Policy") == R"("anonymous";q=2;w=2)");
  Spend(cli, 1);
  auto refused = cli.Get("/api/v1");
  CheckRefusal(refused);
  int64_t retry = HeaderInt(refused, "Retry-After");
  CHECK(retry == 1);  // 2 s / 2 requests

  std::this_thread::sleep_for(std::chrono::seconds(retry) + std::chrono::milliseconds(100));
  auto again = cli.Get("/api/v1");
  REQUIRE(again);
  CHECK(again->status == 200);
  CHECK(HeaderInt(again, "X-RateLimit-Remaining") == 0);
  // Only one came back, not the whole window.
  CheckRefusal(cli.Get("/api/v1"));
}

TEST_CASE("the auth rule limits sign-in guesses per address before they reach the account") {
  ServerProcess server(Limited({{"RATE_LIMIT_AUTH", "3/1m"}}));
  auto cli = server.Client();
  CreateUser(server, "ada@example.com");
  const std::string failed = "SELECT failed_logins FROM users WHERE email = 'ada@example.com'";

  for (int i = 0; i < 3; ++i) {
    auto res = PostJson(cli, "/api/v1/auth/login", LoginBody("ada@example.com", "Wrong0pass"));
    REQUIRE(res);
    CAPTURE(i);
    CHECK(res->status == 401);
    CHECK(HeaderInt(res, "X-RateLimit-Remaining") == 2 - i);
    CHECK(res->get_header_value("RateLimit-Policy") == R"("auth";q=3;w=60)");
  }
  CHECK(QueryInt(server, failed) == 3);

  auto refused = PostJson(cli, "/api/v1/auth/login", LoginBody("ada@example.com", "Wrong0pass"));
  CheckRefusal(refused);
  CHECK(refused->get_header_value("RateLimit-Policy") == R"("auth";q=3;w=60)");
  CHECK(QueryInt(server, failed) == 3);  // refused before the password was looked at
  // The right password waits too.
  CheckRefusal(PostJson(cli, "/api/v1/auth/login", LoginBody("ada@example.com", kPassword)));
  CHECK(QueryInt(server, failed) == 3);

  // The other auth routes share the rule and the bucket.
  CheckRefusal(
      PostJson(cli, "/api/v1/auth/register", NewUserBody("bob@example.com", "Bob", "Babbage", "")));
  CHECK(QueryInt(server, "SELECT count(*) FROM users WHERE email = 'bob@example.com'") == 0);
  CheckRefusal(PostJson(cli, "/api/v1/auth/refresh", R"({"refreshToken":"x"})"));
  CheckRefusal(PostJson(cli, "/api/v1/auth/forgot-password", R"({"email":"ada@example.com"})"));
  // The anonymous rule is a separate bucket.
  auto discovery = cli.Get("/api/v1");
  REQUIRE(discovery);
  CHECK(discovery->status == 200);
  CHECK(discovery->get_header_value("RateLimit-Policy") == R"("anonymous";q=100;w=900)");
}

TEST_CASE("registering counts against the auth rule") {
  ServerProcess server(Limited({{"RATE_LIMIT_AUTH", "3/1m"}}));
  auto cli = server.Client();
  for (int i = 0; i < 3; ++i) {
    std::string email = "user" + std::to_string(i) + "@example.com";
    auto res = PostJson(cli, "/api/v1/auth/register", NewUserBody(email, "Test", "User", ""));
    REQUIRE(res);
    INFO(res->body);
    CHECK(res->status == 201);
    CHECK(HeaderInt(res, "X-RateLimit-Remaining") == 2 - i);
  }
  CheckRefusal(
      PostJson(cli, "/api/v1/auth/register", NewUserBody("user3@example.com", "Test", "User", "")));
  CHECK(QueryInt(server, "SELECT count(*) FROM users") == 3);
}

TEST_CASE("signed-in requests are counted per user, by role; admins are not limited") {
  ServerProcess server(Limited({{"RATE_LIMIT_USER", "3/1m"},
                                {"RATE_LIMIT_MERCHANT", "5/1m"},
                                {"RATE_LIMIT_ANON", "1000/1m"},
                                {"RATE_LIMIT_AUTH", "100/1m"}}));
  auto cli = server.Client();
  Account a = CreateWithCli(server, cli, "a@example.com", "user");
  Account b = CreateWithCli(server, cli, "b@example.com", "user");

  SUBCASE("users have separate buckets on one address") {
    for (int i = 0; i < 3; ++i) {
      auto res = cli.Get("/api/v1/auth/me", Bearer(a.access));
      REQUIRE(res);
      CAPTURE(i);
      CHECK(res->status == 200);
      CHECK(HeaderInt(res, "X-RateLimit-Limit") == 3);
      CHECK(HeaderInt(res, "X-RateLimit-Remaining") == 2 - i);
      CHECK(res->get_header_value("RateLimit-Policy") == R"("user";q=3;w=60)");
    }
    auto refused = cli.Get("/api/v1/auth/me", Bearer(a.access));
    CheckRefusal(refused);
    CHECK(refused->get_header_value("RateLimit-Policy") == R"("user";q=3;w=60)");

    auto other = cli.Get("/api/v1/auth/me", Bearer(b.access));
    REQUIRE(other);
    CHECK(other->status == 200);
    CHECK(HeaderInt(other, "X-RateLimit-Remaining") == 2);
    CHECK(other->get_header_value("RateLimit-Policy") == R"("user";q=3;w=60)");
    // The address's anonymous bucket is untouched by A's refusals.
    auto anon = cli.Get("/api/v1");
    REQUIRE(anon);
    CHECK(anon->status == 200);
    CHECK(HeaderInt(anon, "X-RateLimit-Remaining") == 999);
  }

  SUBCASE("merchants are held to RATE_LIMIT_MERCHANT") {
    Account m = CreateWithCli(server, cli, "m@example.com", "merchant");
    for (int i = 0; i < 5; ++i) {
      auto res = cli.Get("/api/v1/auth/me", Bearer(m.access));
      REQUIRE(res);
      CAPTURE(i);
      CHECK(res->status == 200);
      CHECK(HeaderInt(res, "X-RateLimit-Limit") == 5);
      CHECK(HeaderInt(res, "X-RateLimit-Remaining") == 4 - i);
      CHECK(res->get_header_value("RateLimit-Policy") == R"("merchant";q=5;w=60)");
    }
    auto refused = cli.Get("/api/v1/auth/me", Bearer(m.access));
    CheckRefusal(refused);
    CHECK(refused->get_header_value("RateLimit-Policy") == R"("merchant";q=5;w=60)");
  }

  SUBCASE("admins are never limited") {
    Account admin = CreateWithCli(server, cli, "root@example.com", "admin");
    for (int i = 0; i < 10; ++i) {
      CAPTURE(i);
      CheckUnlimited(cli.Get("/api/v1/auth/me", Bearer(admin.access)));
    }
  }

  SUBCASE("an API key counts against its owner's bucket") {
    auto mint = PostJson(cli, "/api/v1/api-keys", R"({"name":"k","scopes":["profile:read"]})",
                         Bearer(a.access));
    REQUIRE(mint);
    INFO(mint->body);
    REQUIRE(mint->status == 201);
    CHECK(HeaderInt(mint, "X-RateLimit-Remaining") == 2);
    std::string key = GetStr(JsonBody(mint->body), "data.key");
    REQUIRE(!key.empty());
    const httplib::Headers with_key = {{"X-API-Key", key}};
    for (int64_t left : {1, 0}) {
      auto res = cli.Get("/api/v1/auth/me", with_key);
      REQUIRE(res);
      CHECK(res->status == 200);
      CHECK(HeaderInt(res, "X-RateLimit-Remaining") == left);
      CHECK(res->get_header_value("RateLimit-Policy") == R"("user";q=3;w=60)");
    }
    CheckRefusal(cli.Get("/api/v1/auth/me", with_key));
    // The bearer of the same user is refused too; another user is not.
    CheckRefusal(cli.Get("/api/v1/auth/me", Bearer(a.access)));
    CHECK(GetStatus(cli, "/api/v1/auth/me", Bearer(b.access)) == 200);
  }
}

TEST_CASE("bad credentials on a protected route count as anonymous requests") {
  ServerProcess server(Limited({{"RATE_LIMIT_ANON", "3/1m"}}));
  auto cli = server.Client();
  for (int i = 0; i < 3; ++i) {
    auto res = cli.Get("/api/v1/auth/me", Bearer("garbage.token.here"));
    REQUIRE(res);
    CAPTURE(i);
    CHECK(res->status == 401);
    CHECK(HeaderInt(res, "X-RateLimit-Remaining") == 2 - i);
    CHECK(res->get_header_value("RateLimit-Policy") == R"("anonymous";q=3;w=60)");
  }
  CheckRefusal(cli.Get("/api/v1/auth/me", Bearer("garbage.token.here")));
  // Any other guess, and any other anonymous request, shares the bucket.
  CheckRefusal(cli.Get("/api/v1/auth/me", {{"X-API-Key", "ck_guess"}}));
  CheckRefusal(cli.Get("/api/v1/auth/me"));
  CheckRefusal(cli.Get("/api/v1"));
}

TEST_CASE("refused requests count too: unknown routes, malformed bodies, wrong roles") {
  ServerProcess server(Limited(
      {{"RATE_LIMIT_ANON", "3/1m"}, {"RATE_LIMIT_AUTH", "2/1m"}, {"RATE_LIMIT_USER", "2/1m"}}));
  auto cli = server.Client();
  // Signed in first: the login counts against the auth rule.
  Account user = CreateWithCli(server, cli, "knock@example.com", "user");
  // Probing for routes is anonymous traffic like any other.
  for (int i = 0; i < 3; ++i) CHECK(GetStatus(cli, "/api/v1/no-such-route") == 404);
  CheckRefusal(cli.Get("/api/v1/no-such-route"));
  CheckRefusal(cli.Get("/api/v1"));
  // A malformed body on an auth route is counted before it is read.
  for (int i = 0; i < 1; ++i) {
    auto bad = cli.Post("/api/v1/auth/login", "{nope", "application/json");
    REQUIRE(bad);
    CHECK(bad->status == 400);
  }
  CheckRefusal(cli.Post("/api/v1/auth/login", "{nope", "application/json"));
  // A user knocking on an admin route spends their own quota.
  for (int i = 0; i < 2; ++i) CHECK(GetStatus(cli, "/api/v1/users", Bearer(user.access)) == 403);
  CheckRefusal(cli.Get("/api/v1/users", Bearer(user.access)));
}

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

TEST_CASE("a rule or TRUST_PROXY that does not parse stops the server, naming the setting") {
  struct Bad {
    std::string setting;
    std::string value;
  };
  const Bad cases[] = {
      {"RATE_LIMIT_USER", "abc"},       {"RATE_LIMIT_USER", "60"},
      {"RATE_LIMIT_ANON", "0/1m"},      {"RATE_LIMIT_AUTH", "10/1x"},
      {"RATE_LIMIT_MERCHANT", "10/0m"}, {"RATE_LIMIT_RATES", "1/1m,2/1h,3/1d"},
      {"RATE_LIMIT_PAYMENTS", "-1/1m"}, {"RATE_LIMIT_ANON", "10/8d"},
      {"TRUST_PROXY", "not-an-ip"},     {"TRUST_PROXY", "10.0.0.0/33"},
      {"TRUST_PROXY", "10.0.0.1,"},     {"RATE_LIMIT_ENABLED", "yes"},
      {"RATE_LIMIT_MAX_KEYS", "10"},
  };
  for (const Bad& bad : cases) {
    INFO(bad.setting << "=" << bad.value);
    TempDir dir;
    std::map<std::string, std::string> env = {{"RATE_LIMIT_ENABLED", "1"}};
    env[bad.setting] = bad.value;
    CliResult r = RunCli({"serve", "--host", "127.0.0.1", "--port", std::to_string(FreePort()),
                          "--db", dir.File("cairn.db")},
                         env);
    INFO(r.err);
    CHECK(r.exit_code != 0);
    CHECK(r.exit_code != -1);  // refused at once, not killed after a timeout
    CHECK(r.err.find(bad.setting) != std::string::npos);
  }
  // A bad rule is refused even while limiting is off: turning it on later
  // must not be the moment the mistake shows.
  TempDir dir;
  CliResult r = RunCli({"serve", "--host", "127.0.0.1", "--port", std::to_string(FreePort()),
                        "--db", dir.File("cairn.db")},
                       {{"RATE_LIMIT_ENABLED", "0"}, {"RATE_LIMIT_USER", "abc"}});
  INFO(r.err);
  CHECK(r.exit_code > 0);
  CHECK(r.err.find("RATE_LIMIT_USER") != std::string::npos);
}

TEST_CASE("RATE_LIMIT_ENABLED=0 turns limiting off") {
  ServerProcess::Options opts;
  opts.env = {
      {"RATE_LIMIT_ENABLED", "0"}, {"RATE_LIMIT_ANON", "5/1m"}, {"RATE_LIMIT_AUTH", "1/1m"}};
  ServerProcess server(opts);
  auto cli = server.Client();
  for (int i = 0; i < 20; ++i) {
    CAPTURE(i);
    CheckUnlimited(cli.Get("/api/v1"));
  }
  for (int i = 0; i < 3; ++i) {
    auto res = PostJson(cli, "/api/v1/auth/login", LoginBody("nobody@example.com", "Wrong0pass"));
    REQUIRE(res);
    CHECK(res->status == 401);
    CHECK_FALSE(res->has_header("X-RateLimit-Limit"));
  }
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

TEST_CASE("with two rules, the tighter one is reported and a refusal counts in neither") {
  ServerProcess server(Limited({{"RATE_LIMIT_USER", "2/2s,3/1h"}, {"RATE_LIMIT_AUTH", "100/1m"}}));
  auto cli = server.Client();
  Account a = CreateWithCli(server, cli, "a@example.com", "user");
  auto me = [&] { return cli.Get("/api/v1/auth/me", Bearer(a.access)); };

  for (int64_t left : {1, 0}) {
    auto res = me();
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(HeaderInt(res, "X-RateLimit-Remaining") == left);
    CHECK(res->get_header_value("RateLimit-Policy") == R"("user";q=2;w=2)");
  }
  // Refused by the 2-second rule; the hourly rule would have let it pass.
  auto refused = me();
  CheckRefusal(refused);
  int64_t retry = HeaderInt(refused, "Retry-After");
  CHECK(retry == 1);
  CHECK(refused->get_header_value("RateLimit-Policy") == R"("user";q=2;w=2)");

  std::this_thread::sleep_for(std::chrono::seconds(retry) + std::chrono::milliseconds(100));
  // The hourly rule did not count the refusal: its third request passes.
  auto third = me();
  REQUIRE(third);
  CHECK(third->status == 200);
  CHECK(HeaderInt(third, "X-RateLimit-Remaining") == 0);
  // Both rules refuse now; the one with the longer wait is reported.
  auto hourly = me();
  CheckRefusal(hourly);
  CHECK(hourly->get_header_value("RateLimit-Policy") == R"("user";q=3;w=3600)");
  CHECK(HeaderInt(hourly, "X-RateLimit-Limit") == 3);
  int64_t wait = HeaderInt(hourly, "Retry-After");
  CHECK(wait > 1100);
  CHECK(wait <= 1200);  // one request back every hour / 3
}

TEST_CASE("a rule of \"unlimited\" turns one class off") {
  ServerProcess server(Limited({{"RATE_LIMIT_ANON", "unlimited"}, {"RATE_LIMIT_AUTH", "1/1m"}}));
  auto cli = server.Client();
  for (int i = 0; i < 20; ++i) {
    CAPTURE(i);
    CheckUnlimited(cli.Get("/api/v1"));
  }
  auto guess = PostJson(cli, "/api/v1/auth/login", LoginBody("nobody@example.com", "Wrong0pass"));
  REQUIRE(guess);
  CHECK(guess->status == 401);
  CheckRefusal(PostJson(cli, "/api/v1/auth/login", LoginBody("nobody@example.com", "Wrong0pass")));
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
