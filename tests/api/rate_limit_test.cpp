// Rate limiting over HTTP (API.md §8), the rules: the headers of a counted
// request, the 429 and its Retry-After, refill, the auth, anonymous, user,
// merchant and admin rules, bad credentials counted as anonymous, refused
// requests counted, two rules at once, and the settings. Who the client is,
// concurrency, the key cap and the log are in rate_limit_clients_test.cpp.
// Each server gets small rules of its own so the tests stay fast.

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
