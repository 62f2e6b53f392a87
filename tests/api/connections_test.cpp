// The connection gate, from outside: clients that send slowly, stay idle,
// pipeline, expect 100-continue, or send more than a request may hold, and
// what each costs everyone else (docs/API.md §11, HTTP).

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "accounts.h"
#include "harness.h"

namespace cairn::test {
namespace {

using Clock = std::chrono::steady_clock;

// Two workers only, and short deadlines, so that holding workers would show.
ServerProcess::Options FewWorkers(std::map<std::string, std::string> more = {}) {
  ServerProcess::Options o;
  o.env = {{"WORKER_THREADS", "2"}, {"READ_TIMEOUT_S", "1"}, {"KEEP_ALIVE_TIMEOUT_S", "2"}};
  for (auto& [k, v] : more) o.env[k] = v;
  return o;
}

std::string Get(const std::string& path, const std::string& extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: t\r\n" + extra + "\r\n";
}

std::string RegisterBody(const std::string& email) {
  return R"({"email":")" + email + R"(","password":")" + std::string(kPassword) +
         R"(","firstName":"Slow","lastName":"Client","dateOfBirth":"1990-01-01"})";
}

std::string PostHead(const std::string& path, size_t length, const std::string& extra = "") {
  return "POST " + path + " HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n" + extra +
         "Content-Length: " + std::to_string(length) + "\r\n\r\n";
}

long long Ms(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

long long CountOf(const std::string& haystack, const std::string& needle) {
  long long n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

TEST_CASE("slow and idle connections hold no worker: others are answered at once") {
  ServerProcess server(FewWorkers({{"KEEP_ALIVE_TIMEOUT_S", "30"}, {"READ_TIMEOUT_S", "30"}}));
  std::vector<std::unique_ptr<RawConnection>> holders;
  // Half a request line and header each (slowloris), a body that never
  // comes, nothing at all, and keep-alive connections gone idle after one
  // request: each kind would hold a worker for the whole deadline.
  for (int i = 0; i < 40; ++i) {
    holders.push_back(std::make_unique<RawConnection>(server.port()));
    REQUIRE(holders.back()->Send("GET /health HTTP/1.1\r\nHost: t\r\nX-Slow: "));
    holders.push_back(std::make_unique<RawConnection>(server.port()));
    REQUIRE(holders.back()->Send(PostHead("/api/v1/auth/register", 200) + "{\"email\":"));
    holders.push_back(std::make_unique<RawConnection>(server.port()));
    auto idle = std::make_unique<RawConnection>(server.port());
    REQUIRE(idle->Send(Get("/health")));
    REQUIRE(RawStatus(idle->ReadResponse()) == 200);
    holders.push_back(std::move(idle));
  }

  auto cli = server.Client();
  for (int i = 0; i < 5; ++i) {
    auto start = Clock::now();
    auto res = cli.Get("/health");
    REQUIRE(res);
    CHECK(res->status == 200);
    // Holding workers, 160 connections on 2 workers would wait for the 30 s
    // deadlines; 2 s leaves room for a loaded machine.
    CHECK(Ms(Clock::now() - start) < 2000);
  }
  Account a = RegisterAndLogin(cli, "fast@example.com");
  CHECK(a.access.size() > 0);

  // The idle keep-alive connections still carry requests.
  for (size_t i = 3; i < holders.size(); i += 4) {
    REQUIRE(holders[i]->Send(Get("/api/v1/health")));
    CHECK(RawStatus(holders[i]->ReadResponse()) == 200);
  }
}

TEST_CASE("a request that does not arrive whole within READ_TIMEOUT_S gets 408 and changes nothing") {
  ServerProcess server(FewWorkers());
  std::string body = RegisterBody("slow@example.com");

  SUBCASE("a header sent a line at a time, for ever") {
    RawConnection conn(server.port());
    auto start = Clock::now();
    REQUIRE(conn.Send("GET /health HTTP/1.1\r\n"));
    // Each line comes well within the deadline of a single socket read; the
    // whole request does not, and that is what counts.
    std::string got, all;
    bool closed = false;
    for (int i = 0; i < 10 && !closed; ++i) {
      closed = conn.ClosedWithin(300, &got);
      all += got;
      if (!closed) conn.Send("X-Line: 1\r\n");
    }
    CHECK(closed);
    CHECK(RawStatus(all) == 408);
    CHECK(JsonBody(RawBody(all))["success"].get<bool>() == false);
    CHECK(Ms(Clock::now() - start) < 2500);
  }
  SUBCASE("a body that stops halfway") {
    RawConnection conn(server.port());
    REQUIRE(conn.Send(PostHead("/api/v1/auth/register", body.size()) + body.substr(0, 20)));
    std::string got;
    CHECK(conn.ClosedWithin(3000, &got));
    CHECK(RawStatus(got) == 408);
    CHECK(UserCount(server) == 0);
  }
  SUBCASE("the same body sent whole is accepted") {
    RawConnection conn(server.port());
    REQUIRE(conn.Send(PostHead("/api/v1/auth/register", body.size()) + body));
    CHECK(RawStatus(conn.ReadResponse()) == 201);
    CHECK(UserCount(server) == 1);
  }
}

TEST_CASE("a connection with no request in progress is closed after KEEP_ALIVE_TIMEOUT_S") {
  ServerProcess server(FewWorkers());
  RawConnection silent(server.port());
  RawConnection used(server.port());
  REQUIRE(used.Send(Get("/health")));
  REQUIRE(RawStatus(used.ReadResponse()) == 200);

  std::string got;
  CHECK_FALSE(silent.ClosedWithin(1000, &got));  // not before the timeout
  CHECK(silent.ClosedWithin(3000, &got));
  CHECK(got.empty());  // closed without an answer: there was no request
  CHECK(used.ClosedWithin(3000, &got));
  CHECK(got.empty());
}

TEST_CASE("Expect: 100-continue is answered once, before the body") {
  ServerProcess server(FewWorkers());
  std::string body = RegisterBody("expects@example.com");
  RawConnection conn(server.port());
  REQUIRE(conn.Send(PostHead("/api/v1/auth/register", body.size(), "Expect: 100-continue\r\n")));
  CHECK(conn.ReadUntil("\r\n\r\n") == "HTTP/1.1 100 Continue\r\n\r\n");
  REQUIRE(conn.Send(body));
  std::string response = conn.ReadResponse();
  CHECK(RawStatus(response) == 201);
  CHECK(CountOf(response, "100 Continue") == 0);
  CHECK(UserCount(server) == 1);
}

TEST_CASE("pipelined requests and a chunked body are answered in order on one connection") {
  ServerProcess server(FewWorkers());
  std::string body = RegisterBody("chunks@example.com");
  std::string chunked = "POST /api/v1/auth/register HTTP/1.1\r\nHost: t\r\n"
                        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
  chunked += "10\r\n" + body.substr(0, 16) + "\r\n";
  std::string rest = body.substr(16);
  char size[16];
  std::snprintf(size, sizeof size, "%zx", rest.size());
  chunked += std::string(size) + "\r\n" + rest + "\r\n0\r\n\r\n";

  RawConnection conn(server.port());
  REQUIRE(conn.Send(Get("/health") + chunked + Get("/no/such/route")));
  CHECK(RawStatus(conn.ReadResponse()) == 200);
  CHECK(RawStatus(conn.ReadResponse()) == 201);
  CHECK(RawStatus(conn.ReadResponse()) == 404);
  CHECK(UserCount(server) == 1);
}

TEST_CASE("a request line or header that never ends is refused with 414 or 431") {
  ServerProcess server(FewWorkers());
  SUBCASE("request line") {
    std::string got = RawExchange(server.port(), "GET /" + std::string(9000, 'a'));
    CHECK(RawStatus(got) == 414);
    CHECK(GetStr(JsonBody(RawBody(got)), "error.code") == "bad_request");
  }
  SUBCASE("header") {
    std::string header = "GET /health HTTP/1.1\r\nHost: t\r\n";
    while (header.size() < 40 * 1024) header += "X-Pad: " + std::string(1000, 'p') + "\r\n";
    std::string got = RawExchange(server.port(), header);
    CHECK(RawStatus(got) == 431);
    CHECK(GetStr(JsonBody(RawBody(got)), "error.code") == "bad_request");
  }
  // The server is unharmed.
  auto res = server.Client().Get("/health");
  REQUIRE(res);
  CHECK(res->status == 200);
}

TEST_CASE("a refused body is never read as the next request: the connection closes") {
  ServerProcess server(FewWorkers());
  // Each body holds a complete request that must not run.
  std::string inner = "POST /api/v1/auth/register HTTP/1.1\r\nHost: t\r\n"
                      "Content-Type: application/json\r\nContent-Length: " +
                      std::to_string(RegisterBody("inner@example.com").size()) + "\r\n\r\n" +
                      RegisterBody("inner@example.com");
  SUBCASE("over MAX_BODY_BYTES (413)") {
    std::string padded = inner + std::string(11000, ' ');
    std::string got = RawExchange(server.port(), PostHead("/api/v1/auth/login", padded.size()) + padded);
    CHECK(RawStatus(got) == 413);
    CHECK(CountOf(got, "HTTP/1.1 ") == 1);
  }
  SUBCASE("Transfer-Encoding with Content-Length (400)") {
    std::string got = RawExchange(
        server.port(), PostHead("/api/v1/auth/login", inner.size(), "Transfer-Encoding: chunked\r\n") +
                           inner);
    CHECK(RawStatus(got) == 400);
    CHECK(GetStr(JsonBody(RawBody(got)), "error.message").find("Content-Length") !=
          std::string::npos);
    CHECK(CountOf(got, "HTTP/1.1 ") == 1);
  }
  SUBCASE("a Transfer-Encoding other than chunked (400)") {
    std::string got = RawExchange(
        server.port(), "POST /api/v1/auth/login HTTP/1.1\r\nHost: t\r\nContent-Type: "
                       "application/json\r\nTransfer-Encoding: gzip\r\n\r\n" + inner);
    CHECK(RawStatus(got) == 400);
    CHECK(CountOf(got, "HTTP/1.1 ") == 1);
  }
  CHECK(UserCount(server) == 0);
}

TEST_CASE("beyond MAX_CONNECTIONS a new connection gets 503, and is let in once one closes") {
  ServerProcess server(FewWorkers({{"MAX_CONNECTIONS", "4"}, {"KEEP_ALIVE_TIMEOUT_S", "30"}}));
  // The harness's own readiness check has closed by now; give the server a
  // moment to see it go.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::vector<std::unique_ptr<RawConnection>> open;
  for (int i = 0; i < 4; ++i) {
    open.push_back(std::make_unique<RawConnection>(server.port()));
    REQUIRE(open.back()->Send(Get("/health")));
    REQUIRE(RawStatus(open.back()->ReadResponse()) == 200);
  }
  std::string refused = RawExchange(server.port(), Get("/health"));
  CHECK(RawStatus(refused) == 503);
  CHECK(refused.find("Retry-After: 1\r\n") != std::string::npos);
  CHECK(GetStr(JsonBody(RawBody(refused)), "error.code") == "service_unavailable");

  open.pop_back();
  // The server notices the close when it next reads that connection.
  std::string got;
  for (int i = 0; i < 20 && RawStatus(got) != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    got = RawExchange(server.port(), Get("/health", "Connection: close\r\n"));
  }
  CHECK(RawStatus(got) == 200);
}

TEST_CASE("stopping does not wait for idle keep-alive connections") {
  ServerProcess server(FewWorkers({{"KEEP_ALIVE_TIMEOUT_S", "60"}}));
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 20; ++i) {
    idle.push_back(std::make_unique<RawConnection>(server.port()));
    REQUIRE(idle.back()->Send(Get("/health")));
    REQUIRE(RawStatus(idle.back()->ReadResponse()) == 200);
  }
  auto start = Clock::now();
  CHECK(server.Stop() == 0);
  CHECK(Ms(Clock::now() - start) < 5000);
  CHECK(idle.front()->ClosedWithin(1000));
}

}  // namespace
}  // namespace cairn::test
