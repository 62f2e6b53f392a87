#include "http/pipeline.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../log_capture.h"
#include "http/envelope.h"
#include "http/httplib_config.h"
#include "util/json.h"

namespace cairn::http {
namespace {

using picojson::object;
using testing::LogCapture;
using testing::StrOf;

constexpr size_t kMaxBody = 1024;
const TimePoint kNow = TimePoint(std::chrono::seconds(1800000000));  // 2027-01-15

TEST_CASE("JSON content types are told apart from others") {
  const std::vector<std::string> good = {
      "application/json",
      "application/json; charset=utf-8",
      "application/json;charset=UTF-8",
      "APPLICATION/JSON",
      "Application/Json ; charset=utf-8",
      " application/json ",
      "application/merge-patch+json",
      "application/problem+json; charset=utf-8",
  };
  for (const std::string& ct : good) {
    CAPTURE(ct);
    CHECK(IsJsonContentType(ct));
  }
  const std::vector<std::string> bad = {
      "",
      "text/plain",
      "text/json",
      "application/jsonx",
      "application/json-seq",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/+json",
      "text/x+json",
      "application/json, text/plain",
      "json",
  };
  for (const std::string& ct : bad) {
    CAPTURE(ct);
    CHECK_FALSE(IsJsonContentType(ct));
  }
}

TEST_CASE("only short plain correlation ids are echoed") {
  const std::vector<std::string> good = {
      "a", "abc-123", "A.b_C-9", std::string(64, 'x'), "req_0123456789abcdef",
  };
  for (const std::string& id : good) {
    CAPTURE(id);
    CHECK(IsValidCorrelationId(id));
  }
  const std::vector<std::string> bad = {
      "",
      std::string(65, 'x'),
      "has space",
      "tab\there",
      "crlf\r\nX-Injected: 1",
      "caf\xc3\xa9",
      "a/b",
      "a:b",
      "<script>",
      "a,b",
      std::string("nul\0", 4),
  };
  for (const std::string& id : bad) {
    CAPTURE(id);
    CHECK_FALSE(IsValidCorrelationId(id));
  }
}

// The routes the in-process tests call. body_calls counts handler runs that
// received a body.
Router TestRouter(std::atomic<int>* body_calls) {
  Router router;
  auto add = [&router](const char* method, const char* path, Handler h) {
    Route r;
    r.method = method;
    r.path = path;
    r.handler = std::move(h);
    router.Add(std::move(r));
  };
  add("GET", "/api/t/boom", [](const Call&, httplib::Response&) -> Status {
    throw std::runtime_error("secret SQL detail /etc/path");
  });
  add("POST", "/api/t/boom", [](const Call&, httplib::Response&) -> Status {
    throw std::runtime_error("secret SQL detail /etc/path");
  });
  add("GET", "/api/t/odd", [](const Call&, httplib::Response&) -> Status { throw 42; });
  add("GET", "/api/t/leak",
      [](const Call&, httplib::Response&) { return Status::Internal("leaky detail"); });
  add("GET", "/api/t/ok", [](const Call&, httplib::Response& res) {
    WriteData(res, 200, std::string_view(R"({"ok":true})"));
    return Status::Ok();
  });
  add("POST", "/api/t/echo", [body_calls](const Call& call, httplib::Response& res) {
    body_calls->fetch_add(1);
    WriteData(res, 201, json::Serialize(picojson::value(call.body)));
    return Status::Ok();
  });

  Route old;
  old.method = "GET";
  old.path = "/api/t/old";
  old.handler = [](const Call&, httplib::Response& res) {
    WriteMessage(res, 200, "still here");
    return Status::Ok();
  };
  old.sunset = TimePoint(std::chrono::seconds(1814313600));  // after kNow
  old.successor = "/api/t/ok";
  router.Add(old);
  old.path = "/api/t/retired";
  old.sunset = kNow - std::chrono::seconds(1);
  router.Add(std::move(old));
  return router;
}

// The pipeline installed on a real httplib server on 127.0.0.1, stopped and
// joined on destruction (after which every log line has been written).
class LiveServer {
 public:
  LiveServer(const Router& router, const Clock& clock, std::vector<std::string> origins = {})
      : pipeline_(router, CorsPolicy(std::move(origins)), kMaxBody, clock) {
    pipeline_.Install(server_);
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    server_.wait_until_ready();
  }
  ~LiveServer() {
    server_.stop();
    thread_.join();
  }
  LiveServer(const LiveServer&) = delete;
  LiveServer& operator=(const LiveServer&) = delete;

  httplib::Client Client() const {
    httplib::Client cli("127.0.0.1", port_);
    cli.set_connection_timeout(5);
    cli.set_read_timeout(10);
    return cli;
  }

 private:
  Pipeline pipeline_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

// The "error" object of an error envelope.
object ErrorOf(const httplib::Result& res) {
  REQUIRE(res);
  picojson::value v;
  INFO("body: " << res->body);
  REQUIRE(picojson::parse(v, res->body).empty());
  REQUIRE(v.is<object>());
  object body = v.get<object>();
  CHECK(body["success"] == picojson::value(false));
  REQUIRE(body["error"].is<object>());
  return body["error"].get<object>();
}

// True if text appears in the body or any header of the response.
bool Mentions(const httplib::Result& res, const std::string& text) {
  if (res->body.find(text) != std::string::npos) return true;
  for (const auto& [k, v] : res->headers) {
    if (k.find(text) != std::string::npos || v.find(text) != std::string::npos) return true;
  }
  return false;
}

const std::regex kRequestId("^req_[0-9a-f]{16}$");

struct Fixture {
  LogCapture logs;  // first: outlives the server's threads
  FakeClock clock{kNow};
  std::atomic<int> body_calls{0};
  Router router = TestRouter(&body_calls);
};

TEST_CASE("an exception in a handler is a 500 that tells the client nothing and logs the cause") {
  Fixture f;
  std::string request_id;
  {
    LiveServer server(f.router, f.clock);
    auto res = server.Client().Get("/api/t/boom");
    REQUIRE(res);
    CHECK(res->status == 500);
    CHECK(res->get_header_value("Content-Type") == "application/json; charset=utf-8");
    object error = ErrorOf(res);
    CHECK(StrOf(error, "code") == "internal_error");
    CHECK(StrOf(error, "message") == "Internal server error");
    request_id = res->get_header_value("X-Request-ID");
    CHECK(std::regex_match(request_id, kRequestId));
    CHECK(StrOf(error, "requestId") == request_id);
    for (const char* leak : {"secret", "SQL", "/etc", "runtime_error"}) {
      CAPTURE(leak);
      CHECK_FALSE(Mentions(res, leak));
    }
  }
  std::vector<object> causes = f.logs.Events("unhandled_exception");
  REQUIRE(causes.size() == 1);
  CHECK(StrOf(causes[0], "requestId") == request_id);
  CHECK(StrOf(causes[0], "cause") == "secret SQL detail /etc/path");
  CHECK(StrOf(causes[0], "path") == "/api/t/boom");
  CHECK(StrOf(causes[0], "level") == "error");

  std::vector<object> requests = f.logs.Events("request");
  REQUIRE(requests.size() == 1);
  CHECK(StrOf(requests[0], "requestId") == request_id);
  CHECK(requests[0]["status"] == picojson::value(int64_t{500}));
  CHECK(StrOf(requests[0], "route") == "/api/t/boom");
}

TEST_CASE("a handler's internal status is a 500 without its message") {
  Fixture f;
  LiveServer server(f.router, f.clock);
  auto res = server.Client().Get("/api/t/leak");
  REQUIRE(res);
  CHECK(res->status == 500);
  object error = ErrorOf(res);
  CHECK(StrOf(error, "code") == "internal_error");
  CHECK(StrOf(error, "message") == "Internal server error");
  CHECK(StrOf(error, "requestId") == res->get_header_value("X-Request-ID"));
  CHECK_FALSE(Mentions(res, "leaky"));
  // The cause is not lost: it is logged under the same request id.
  std::vector<object> causes = f.logs.Events("internal_error");
  REQUIRE(causes.size() == 1);
  CHECK(StrOf(causes[0], "cause") == "leaky detail");
  CHECK(StrOf(causes[0], "requestId") == res->get_header_value("X-Request-ID"));
}

TEST_CASE("a thrown value that is not an exception, or a throw after the body is read, is a 500") {
  Fixture f;
  {
    LiveServer server(f.router, f.clock);
    auto odd = server.Client().Get("/api/t/odd");
    REQUIRE(odd);
    CHECK(odd->status == 500);
    CHECK(StrOf(ErrorOf(odd), "code") == "internal_error");

    auto post = server.Client().Post("/api/t/boom", R"({"a":1})", "application/json");
    REQUIRE(post);
    CHECK(post->status == 500);
    CHECK(StrOf(ErrorOf(post), "message") == "Internal server error");
    CHECK_FALSE(Mentions(post, "secret"));
  }
  std::vector<object> causes = f.logs.Events("unhandled_exception");
  REQUIRE(causes.size() == 2);
  CHECK(StrOf(causes[0], "cause") == "unknown exception");
  CHECK(StrOf(causes[1], "method") == "POST");
}

TEST_CASE("an unknown path is 404 and a known path with another method is 405 with Allow") {
  Fixture f;
  LiveServer server(f.router, f.clock);
  httplib::Client cli = server.Client();

  auto missing = cli.Get("/api/t/missing");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK(StrOf(ErrorOf(missing), "code") == "not_found");
  CHECK_FALSE(missing->has_header("Allow"));

  auto wrong = cli.Delete("/api/t/boom");
  REQUIRE(wrong);
  CHECK(wrong->status == 405);
  CHECK(StrOf(ErrorOf(wrong), "code") == "method_not_allowed");
  CHECK(wrong->get_header_value("Allow") == "GET, HEAD, POST, OPTIONS");

  auto options = cli.Options("/api/t/ok");
  REQUIRE(options);
  CHECK(options->status == 204);
  CHECK(options->get_header_value("Allow") == "GET, HEAD, OPTIONS");
}

TEST_CASE("refused bodies never reach the handler") {
  Fixture f;
  LiveServer server(f.router, f.clock);
  httplib::Client cli = server.Client();
  std::string deep = "{\"a\":" + std::string(32, '[') + std::string(32, ']') + "}";
  struct Row {
    std::string body;
    std::string content_type;
    int status;
    const char* code;
  };
  const std::vector<Row> rows = {
      {R"({"a":1})", "text/plain", 415, "unsupported_media_type"},
      {"a=1", "application/x-www-form-urlencoded", 415, "unsupported_media_type"},
      {R"({"a":)", "application/json", 400, "bad_request"},
      {R"({"a":1} trailing)", "application/json", 400, "bad_request"},
      {"[1,2]", "application/json", 400, "bad_request"},
      {deep, "application/json", 400, "bad_request"},
      {"{\"a\":\"" + std::string(kMaxBody, 'x') + "\"}", "application/json", 413,
       "payload_too_large"},
  };
  for (const Row& r : rows) {
    CAPTURE(r.body.substr(0, 40));
    CAPTURE(r.content_type);
    auto res = cli.Post("/api/t/echo", r.body, r.content_type);
    REQUIRE(res);
    CHECK(res->status == r.status);
    CHECK(StrOf(ErrorOf(res), "code") == r.code);
  }
  CHECK(f.body_calls.load() == 0);

  auto good = cli.Post("/api/t/echo", R"({"n":9007199254740993,"s":"a/b"})",
                       "application/json; charset=utf-8");
  REQUIRE(good);
  CHECK(good->status == 201);
  CHECK(good->body == R"({"success":true,"data":{"n":9007199254740993,"s":"a/b"}})");
  CHECK(f.body_calls.load() == 1);
}

TEST_CASE("every response carries its ids and the security headers") {
  Fixture f;
  LiveServer server(f.router, f.clock);
  httplib::Client cli = server.Client();
  std::vector<std::string> ids;
  for (const char* path : {"/api/t/ok", "/api/t/missing", "/api/t/boom", "/api/t/retired"}) {
    CAPTURE(path);
    auto res = cli.Get(path);
    REQUIRE(res);
    std::string id = res->get_header_value("X-Request-ID");
    CHECK(std::regex_match(id, kRequestId));
    CHECK(res->get_header_value("X-Correlation-ID") == id);
    CHECK(
        std::regex_match(res->get_header_value("X-Response-Time"), std::regex(R"(^\d+\.\d\dms$)")));
    CHECK(res->get_header_value("X-Content-Type-Options") == "nosniff");
    CHECK(res->get_header_value("X-Frame-Options") == "DENY");
    CHECK(res->get_header_value("Referrer-Policy") == "no-referrer");
    CHECK(res->get_header_value("Content-Security-Policy") ==
          "default-src 'none'; frame-ancestors 'none'");
    CHECK(res->get_header_value("Cache-Control") == "no-store");
    CHECK(res->get_header_value("Vary") == "Origin");
    ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  CHECK(std::unique(ids.begin(), ids.end()) == ids.end());
}

TEST_CASE("a valid correlation id is echoed and an invalid one replaced by the request id") {
  Fixture f;
  LiveServer server(f.router, f.clock);
  httplib::Client cli = server.Client();
  auto valid = cli.Get("/api/t/ok", {{"X-Correlation-ID", "trace.42_A-b"}});
  REQUIRE(valid);
  CHECK(valid->get_header_value("X-Correlation-ID") == "trace.42_A-b");

  auto invalid = cli.Get("/api/t/ok", {{"X-Correlation-ID", std::string(65, 'a')}});
  REQUIRE(invalid);
  CHECK(invalid->get_header_value("X-Correlation-ID") == invalid->get_header_value("X-Request-ID"));
}

TEST_CASE("a listed origin gets CORS headers and any other origin gets none") {
  Fixture f;
  LiveServer server(f.router, f.clock, {"https://app.example.com"});
  httplib::Client cli = server.Client();

  auto allowed = cli.Get("/api/t/ok", {{"Origin", "https://app.example.com"}});
  REQUIRE(allowed);
  CHECK(allowed->get_header_value("Access-Control-Allow-Origin") == "https://app.example.com");
  CHECK(allowed->get_header_value("Access-Control-Allow-Credentials") == "true");
  CHECK(allowed->has_header("Access-Control-Expose-Headers"));

  auto preflight = cli.Options("/api/t/echo", {{"Origin", "https://app.example.com"},
                                               {"Access-Control-Request-Method", "POST"}});
  REQUIRE(preflight);
  CHECK(preflight->status == 204);
  CHECK(preflight->get_header_value("Access-Control-Allow-Methods") == CorsPolicy::kAllowMethods);
  CHECK(preflight->get_header_value("Access-Control-Allow-Origin") == "https://app.example.com");

  for (const char* origin : {"https://evil.example", "null", "https://APP.example.com"}) {
    CAPTURE(origin);
    auto foreign =
        cli.Options("/api/t/echo", {{"Origin", origin}, {"Access-Control-Request-Method", "POST"}});
    REQUIRE(foreign);
    CHECK(foreign->status == 204);
    auto get = cli.Get("/api/t/ok", {{"Origin", origin}});
    REQUIRE(get);
    CHECK(get->status == 200);
    for (const httplib::Result* r : {&foreign, &get}) {
      for (const auto& [k, v] : (*r)->headers) {
        CAPTURE(k);
        CHECK(k.rfind("Access-Control-", 0) == std::string::npos);
      }
    }
  }
}

TEST_CASE("a deprecated route announces its sunset and a retired one is gone") {
  Fixture f;
  LiveServer server(f.router, f.clock);
  httplib::Client cli = server.Client();

  auto old = cli.Get("/api/t/old");
  REQUIRE(old);
  CHECK(old->status == 200);
  CHECK(old->get_header_value("Deprecation") == "true");
  CHECK(old->get_header_value("X-API-Deprecated") == "true");
  CHECK(old->get_header_value("Sunset") == "Wed, 30 Jun 2027 00:00:00 GMT");
  CHECK(old->get_header_value("Link") == "</api/t/ok>; rel=\"successor-version\"");

  auto retired = cli.Get("/api/t/retired");
  REQUIRE(retired);
  CHECK(retired->status == 410);
  object error = ErrorOf(retired);
  CHECK(StrOf(error, "code") == "gone");
  CHECK(StrOf(error, "message").find("/api/t/ok") != std::string::npos);

  auto current = cli.Get("/api/t/ok");
  REQUIRE(current);
  CHECK_FALSE(current->has_header("Deprecation"));
}

TEST_CASE("HEAD is answered by the GET route without a body") {
  Fixture f;
  LiveServer server(f.router, f.clock);
  auto res = server.Client().Head("/api/t/ok");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body.empty());
  CHECK(res->get_header_value("Content-Type") == "application/json; charset=utf-8");
}

}  // namespace
}  // namespace cairn::http
