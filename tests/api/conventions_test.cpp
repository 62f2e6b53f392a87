// The HTTP conventions of API.md §1-4 over the wire: headers on every
// response, the error envelope, body and header limits, and CORS.

#include <doctest/doctest.h>

#include <regex>

#include "harness.h"

using namespace cairn::test;

namespace {

// Every response, error or not, carries the same headers.
void CheckCommonHeaders(const httplib::Headers& h, bool api_path) {
  auto get = [&](const char* k) {
    auto it = h.find(k);
    return it == h.end() ? std::string() : it->second;
  };
  CHECK(std::regex_match(get("X-Request-ID"), std::regex("req_[0-9a-f]{16}")));
  CHECK(!get("X-Correlation-ID").empty());
  CHECK(std::regex_match(get("X-Response-Time"), std::regex(R"(\d+\.\d\dms)")));
  CHECK(get("X-Content-Type-Options") == "nosniff");
  CHECK(get("X-Frame-Options") == "DENY");
  CHECK(get("Referrer-Policy") == "no-referrer");
  CHECK(get("Vary") == "Origin");
  CHECK(!get("Content-Security-Policy").empty());
  if (api_path) CHECK(get("Cache-Control") == "no-store");
}

httplib::Headers ParseRawHeaders(const std::string& raw) {
  httplib::Headers h;
  size_t pos = raw.find("\r\n");
  while (pos != std::string::npos) {
    size_t next = raw.find("\r\n", pos + 2);
    if (next == std::string::npos || next == pos + 2) break;
    std::string line = raw.substr(pos + 2, next - pos - 2);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      h.emplace(line.substr(0, colon), line.substr(colon + 2));
    }
    pos = next;
  }
  return h;
}

void CheckError(const std::string& body, const std::string& code, const std::string& request_id) {
  auto o = JsonBody(body);
  CHECK(Get(o, "success").get<bool>() == false);
  CHECK(GetStr(o, "error.code") == code);
  CHECK(!GetStr(o, "error.message").empty());
  CHECK(GetStr(o, "error.requestId") == request_id);
  CHECK(std::regex_match(GetStr(o, "error.timestamp"),
                         std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
}

void CheckStillHealthy(const ServerProcess& server) {
  auto cli = server.Client();
  auto res = cli.Get("/api/v1/health");
  REQUIRE(res);
  CHECK(res->status == 200);
}

std::string Nested(int depth) {
  // {"a": [[[ ... ]]] } with `depth` levels in all.
  return "{\"a\":" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
}

}  // namespace

TEST_CASE("every response carries request id, correlation id, timing and security headers") {
  ServerProcess server;
  auto cli = server.Client();
  for (const char* path : {"/health", "/api/v1/health", "/api/v1", "/api/v1/nope", "/nope"}) {
    CAPTURE(path);
    auto res = cli.Get(path);
    REQUIRE(res);
    CheckCommonHeaders(res->headers,
                       std::string(path).rfind("/api", 0) == 0 || std::string(path) == "/health");
  }
  auto a = cli.Get("/health");
  auto b = cli.Get("/health");
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->get_header_value("X-Request-ID") != b->get_header_value("X-Request-ID"));
  CHECK(a->get_header_value("X-Correlation-ID") == a->get_header_value("X-Request-ID"));
}

TEST_CASE("a valid X-Correlation-ID is echoed and an invalid one replaced") {
  ServerProcess server;
  auto cli = server.Client();
  struct Case {
    std::string sent;
    bool echoed;
  };
  const Case cases[] = {
      {"trace-123_abc.DEF", true}, {std::string(64, 'a'), true}, {std::string(65, 'a'), false},
      {"has space", false},        {"semi;colon", false},        {"<script>", false},
      {"caf\xc3\xa9", false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.sent);
    auto res = cli.Get("/health", {{"X-Correlation-ID", c.sent}});
    REQUIRE(res);
    if (c.echoed) {
      CHECK(res->get_header_value("X-Correlation-ID") == c.sent);
    } else {
      CHECK(res->get_header_value("X-Correlation-ID") == res->get_header_value("X-Request-ID"));
    }
  }
}

TEST_CASE("an unknown route is a 404 envelope and a wrong method a 405 with Allow") {
  ServerProcess server;
  auto cli = server.Client();
  auto res = cli.Get("/api/v1/does-not-exist");
  REQUIRE(res);
  CHECK(res->status == 404);
  CheckError(res->body, "not_found", res->get_header_value("X-Request-ID"));

  res = cli.Delete("/api/v1/health");
  REQUIRE(res);
  CHECK(res->status == 405);
  CHECK(res->get_header_value("Allow") == "GET, HEAD, OPTIONS");
  CheckError(res->body, "method_not_allowed", res->get_header_value("X-Request-ID"));

  res = cli.Put("/health", "{}", "application/json");
  REQUIRE(res);
  CHECK(res->status == 405);

  // A method httplib parses but Cairn never routes.
  std::string raw = RawExchange(
      server.port(), "TRACE /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK(RawStatus(raw) == 405);
  CHECK(JsonBody(RawBody(raw)).count("error") == 1);
}

TEST_CASE("a plain OPTIONS lists the methods of a path") {
  ServerProcess server;
  auto cli = server.Client();
  auto res = cli.Options("/api/v1/health");
  REQUIRE(res);
  CHECK(res->status == 204);
  CHECK(res->get_header_value("Allow") == "GET, HEAD, OPTIONS");
  res = cli.Options("/api/v1/unknown");
  REQUIRE(res);
  CHECK(res->status == 404);
}

TEST_CASE("a body that is not JSON is 415 whatever the route") {
  ServerProcess server;
  auto cli = server.Client();
  for (const char* ct : {"text/plain", "application/x-www-form-urlencoded", "application/jsonx",
                         "multipart/form-data; boundary=x"}) {
    CAPTURE(ct);
    auto res = cli.Post("/api/v1/health", "{\"a\":1}", ct);
    REQUIRE(res);
    CHECK(res->status == 415);
    CheckError(res->body, "unsupported_media_type", res->get_header_value("X-Request-ID"));
  }
  // Structured +json types and a charset are JSON.
  auto res = cli.Post("/api/v1/health", "{\"a\":1}", "application/merge-patch+json");
  REQUIRE(res);
  CHECK(res->status == 405);
  res = cli.Post("/api/v1/health", "{\"a\":1}", "application/json; charset=utf-8");
  REQUIRE(res);
  CHECK(res->status == 405);
  CheckStillHealthy(server);
}

TEST_CASE("malformed JSON, a non-object body and trailing garbage are 400 bad_request") {
  ServerProcess server;
  auto cli = server.Client();
  for (const char* body : {"{", "{\"a\":}", "nul", "[1,2]", "\"text\"", "42", "{\"a\":1} x",
                           "{\"a\":1}{\"b\":2}", "{'a':1}", "{\"a\":\"\\x\"}"}) {
    CAPTURE(body);
    auto res = cli.Post("/api/v1/auth/login", body, "application/json");
    REQUIRE(res);
    CHECK(res->status == 400);
    CheckError(res->body, "bad_request", res->get_header_value("X-Request-ID"));
  }
  CheckStillHealthy(server);
}

TEST_CASE("JSON nested 32 levels passes the body rules and 33 levels is refused") {
  ServerProcess server;
  auto cli = server.Client();
  // The body is read once the route is known: a route that takes one.
  auto ok = cli.Post("/api/v1/auth/login", Nested(32), "application/json");
  REQUIRE(ok);
  CHECK(ok->status == 422);  // past the body rules, stopped by the handler
  auto deep = cli.Post("/api/v1/auth/login", Nested(33), "application/json");
  REQUIRE(deep);
  CHECK(deep->status == 400);
  CheckError(deep->body, "bad_request", deep->get_header_value("X-Request-ID"));
}

TEST_CASE("a body of ten thousand open brackets is refused without harming the server") {
  ServerProcess server;
  auto cli = server.Client();
  auto res = cli.Post("/api/v1/auth/login", std::string(10000, '['), "application/json");
  REQUIRE(res);
  CHECK(res->status == 400);
  auto objs =
      cli.Post("/api/v1/auth/login", std::string(5000, '{') + "\"a\":1", "application/json");
  REQUIRE(objs);
  CHECK(objs->status == 400);
  CheckStillHealthy(server);
}

TEST_CASE("a body larger than MAX_BODY_BYTES is 413, at the limit it is read") {
  ServerProcess server;
  auto cli = server.Client();
  std::string at_limit = "{\"a\":\"" + std::string(10240 - 8, 'x') + "\"}";
  REQUIRE(at_limit.size() == 10240);
  auto res = cli.Post("/api/v1/health", at_limit, "application/json");
  REQUIRE(res);
  CHECK(res->status == 405);

  std::string over = "{\"a\":\"" + std::string(10241 - 8, 'x') + "\"}";
  auto big = cli.Post("/api/v1/health", over, "application/json");
  REQUIRE(big);
  CHECK(big->status == 413);
  CheckError(big->body, "payload_too_large", big->get_header_value("X-Request-ID"));
  CHECK(big->get_header_value("Connection") == "close");
  CheckStillHealthy(server);
}

TEST_CASE("MAX_BODY_BYTES is configurable") {
  ServerProcess::Options opts;
  opts.env["MAX_BODY_BYTES"] = "100";
  ServerProcess server(opts);
  auto cli = server.Client();
  auto res =
      cli.Post("/api/v1/health", "{\"a\":\"" + std::string(120, 'x') + "\"}", "application/json");
  REQUIRE(res);
  CHECK(res->status == 413);
}

TEST_CASE("a chunked body over the limit is 413 with the envelope") {
  ServerProcess server;
  std::string chunk(4096, 'x');
  std::string req =
      "POST /api/v1/health HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
  for (int i = 0; i < 5; ++i) req += "1000\r\n" + chunk + "\r\n";
  req += "0\r\n\r\n";
  std::string raw = RawExchange(server.port(), req);
  CHECK(RawStatus(raw) == 413);
  auto body = JsonBody(RawBody(raw));
  CHECK(GetStr(body, "error.code") == "payload_too_large");
  CheckCommonHeaders(ParseRawHeaders(raw), true);
  CheckStillHealthy(server);
}

TEST_CASE("oversized request lines and headers are refused before routing") {
  ServerProcess server;
  // Request line over 8 KiB: 414.
  std::string raw = RawExchange(
      server.port(), "GET /api/v1/" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(RawStatus(raw) == 414);
  CHECK(GetStr(JsonBody(RawBody(raw)), "error.code") == "bad_request");
  CheckCommonHeaders(ParseRawHeaders(raw), false);

  // More than 64 header lines: 400.
  std::string many = "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";
  for (int i = 0; i < 70; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
  raw = RawExchange(server.port(), many + "\r\n");
  CHECK(RawStatus(raw) == 400);
  CHECK(GetStr(JsonBody(RawBody(raw)), "error.code") == "bad_request");

  // One header line over 8 KiB: 400.
  raw = RawExchange(server.port(), "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                       std::string(9000, 'b') + "\r\nConnection: close\r\n\r\n");
  CHECK(RawStatus(raw) == 400);

  // Headers within each limit but over 16 KiB together: 431.
  std::string wide = "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";
  for (int i = 0; i < 3; ++i)
    wide += "X-W" + std::to_string(i) + ": " + std::string(6000, 'w') + "\r\n";
  raw = RawExchange(server.port(), wide + "\r\n");
  CHECK(RawStatus(raw) == 431);
  CHECK(GetStr(JsonBody(RawBody(raw)), "error.code") == "bad_request");

  // A request line that is not HTTP: 400 with the envelope.
  raw = RawExchange(server.port(), "HELLO\r\n\r\n");
  CHECK(RawStatus(raw) == 400);
  CHECK(GetStr(JsonBody(RawBody(raw)), "error.code") == "bad_request");
  CheckStillHealthy(server);
}

TEST_CASE("keep-alive serves many requests on one connection") {
  ServerProcess server;
  auto cli = server.Client();
  cli.set_keep_alive(true);
  for (int i = 0; i < 50; ++i) {
    auto res = cli.Get("/health");
    REQUIRE(res);
    CHECK(res->status == 200);
  }
}

TEST_CASE("an allowed origin gets CORS headers with credentials, a foreign one gets none") {
  ServerProcess server;
  auto cli = server.Client();
  auto res = cli.Get("/health", {{"Origin", "http://localhost:5173"}});
  REQUIRE(res);
  CHECK(res->get_header_value("Access-Control-Allow-Origin") == "http://localhost:5173");
  CHECK(res->get_header_value("Access-Control-Allow-Credentials") == "true");
  CHECK(res->get_header_value("Access-Control-Expose-Headers").find("X-Request-ID") !=
        std::string::npos);
  CHECK(res->get_header_value("Vary") == "Origin");

  for (const char* foreign : {"https://evil.example", "http://localhost:5173.evil.example", "null",
                              "http://LOCALHOST:5173", "http://localhost:5173/"}) {
    CAPTURE(foreign);
    auto r = cli.Get("/health", {{"Origin", foreign}});
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(!r->has_header("Access-Control-Allow-Origin"));
    CHECK(!r->has_header("Access-Control-Allow-Credentials"));
  }
  // Errors carry CORS headers too, so a browser app can read them.
  auto err = cli.Get("/api/v1/nope", {{"Origin", "http://localhost:3000"}});
  REQUIRE(err);
  CHECK(err->status == 404);
  CHECK(err->get_header_value("Access-Control-Allow-Origin") == "http://localhost:3000");
}

TEST_CASE("a preflight from an allowed origin is 204 with methods, headers and max-age 600") {
  ServerProcess server;
  auto cli = server.Client();
  httplib::Headers h = {{"Origin", "http://localhost:3000"},
                        {"Access-Control-Request-Method", "POST"},
                        {"Access-Control-Request-Headers", "content-type, idempotency-key"}};
  auto res = cli.Options("/api/v1/anything", h);
  REQUIRE(res);
  CHECK(res->status == 204);
  CHECK(res->get_header_value("Access-Control-Allow-Origin") == "http://localhost:3000");
  CHECK(res->get_header_value("Access-Control-Allow-Credentials") == "true");
  CHECK(res->get_header_value("Access-Control-Max-Age") == "600");
  std::string methods = res->get_header_value("Access-Control-Allow-Methods");
  for (const char* m : {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}) {
    CHECK(methods.find(m) != std::string::npos);
  }
  std::string headers = res->get_header_value("Access-Control-Allow-Headers");
  for (const char* hd : {"Authorization", "Content-Type", "X-API-Key", "Idempotency-Key",
                         "X-Correlation-ID", "X-Platform"}) {
    CHECK(headers.find(hd) != std::string::npos);
  }
  CHECK(res->body.empty());

  httplib::Headers foreign = {{"Origin", "https://evil.example"},
                              {"Access-Control-Request-Method", "DELETE"}};
  auto bad = cli.Options("/api/v1/health", foreign);
  REQUIRE(bad);
  CHECK(bad->status == 204);
  CHECK(!bad->has_header("Access-Control-Allow-Origin"));
  CHECK(!bad->has_header("Access-Control-Allow-Methods"));
  CHECK(!bad->has_header("Access-Control-Max-Age"));
}

TEST_CASE("CORS_ORIGINS replaces the default list and FRONTEND_URL and CLIENT_URL add to it") {
  ServerProcess::Options opts;
  opts.env["CORS_ORIGINS"] = "https://app.example.com, https://admin.example.com";
  opts.env["FRONTEND_URL"] = "https://front.example.com/";
  opts.env["CLIENT_URL"] = "http://127.0.0.1:4000";
  ServerProcess server(opts);
  auto cli = server.Client();
  for (const char* origin : {"https://app.example.com", "https://admin.example.com",
                             "https://front.example.com", "http://127.0.0.1:4000"}) {
    CAPTURE(origin);
    auto res = cli.Get("/health", {{"Origin", origin}});
    REQUIRE(res);
    CHECK(res->get_header_value("Access-Control-Allow-Origin") == origin);
  }
  auto old_default = cli.Get("/health", {{"Origin", "http://localhost:3000"}});
  REQUIRE(old_default);
  CHECK(!old_default->has_header("Access-Control-Allow-Origin"));
}

TEST_CASE("HTML-free API responses carry a CSP that allows no active content") {
  ServerProcess server;
  auto cli = server.Client();
  auto res = cli.Get("/api/v1");
  REQUIRE(res);
  CHECK(res->get_header_value("Content-Security-Policy") ==
        "default-src 'none'; frame-ancestors 'none'");
}

TEST_CASE("a refused body leaves a keep-alive connection usable for the next request") {
  ServerProcess server;
  auto cli = server.Client();
  cli.set_keep_alive(true);
  auto res = cli.Post("/api/v1/health", "{\"a\":1}", "text/plain");
  REQUIRE(res);
  CHECK(res->status == 415);
  auto bad = cli.Post("/api/v1/auth/login", "{nope", "application/json");
  REQUIRE(bad);
  CHECK(bad->status == 400);
  auto next = cli.Get("/health");
  REQUIRE(next);
  CHECK(next->status == 200);
}
