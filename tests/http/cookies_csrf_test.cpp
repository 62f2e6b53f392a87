#include <doctest/doctest.h>

#include "http/cookies.h"
#include "http/csrf.h"

namespace cairn::http {
namespace {

httplib::Request WithHeaders(std::initializer_list<std::pair<const char*, const char*>> h) {
  httplib::Request req;
  for (const auto& [k, v] : h) req.headers.emplace(k, v);
  return req;
}

TEST_CASE("a cookie is found among others, in any Cookie header, trimmed and unquoted") {
  auto req = WithHeaders({{"Cookie", "a=1; access_token=tok; b=2"}});
  CHECK(CookieValue(req, "access_token") == "tok");
  CHECK(CookieValue(req, "a") == "1");
  CHECK(CookieValue(req, "missing").empty());
  CHECK(CookieValue(WithHeaders({{"Cookie", "x=1"}, {"Cookie", " access_token = \"q\" "}}),
                    "access_token") == "q");
  // A name that merely contains or starts with the wanted one does not match.
  CHECK(
      CookieValue(WithHeaders({{"Cookie", "xaccess_token=1; access_token_old=2"}}), "access_token")
          .empty());
  CHECK(CookieValue(WithHeaders({{"Cookie", "access_token"}}), "access_token").empty());
  CHECK(CookieValue(WithHeaders({{"Cookie", ";;; access_token=v;"}}), "access_token") == "v");
}

TEST_CASE("Set-Cookie carries HttpOnly and SameSite=Lax, Secure only when asked") {
  CHECK(SetCookieValue("access_token", "t", "/", 900, false) ==
        "access_token=t; Path=/; Max-Age=900; HttpOnly; SameSite=Lax");
  CHECK(SetCookieValue("refresh_token", "r", "/api/v1/auth", 60, true) ==
        "refresh_token=r; Path=/api/v1/auth; Max-Age=60; HttpOnly; SameSite=Lax; Secure");
  CHECK(SetCookieValue("a", "", "/", 0, false).find("Max-Age=0") != std::string::npos);
}

TEST_CASE("only GET, HEAD and OPTIONS are safe") {
  for (const char* m : {"GET", "HEAD", "OPTIONS"}) CHECK_FALSE(IsUnsafeMethod(m));
  for (const char* m : {"POST", "PUT", "PATCH", "DELETE", "get"}) CHECK(IsUnsafeMethod(m));
}

TEST_CASE("the origin of a URL is its scheme and authority") {
  CHECK(OriginOfUrl("https://example.com:8443/a/b?c") == "https://example.com:8443");
  CHECK(OriginOfUrl("http://h") == "http://h");
  CHECK(OriginOfUrl("http://h?x") == "http://h");
  CHECK(OriginOfUrl("/relative/path").empty());
  CHECK(OriginOfUrl("://nohost").empty());
  CHECK(OriginOfUrl("http:///path").empty());
  CHECK(OriginOfUrl("").empty());
}

TEST_CASE("a request is trusted from its own host or an allowed origin, and from nowhere else") {
  const CorsPolicy cors({"http://localhost:3000"});
  struct Row {
    const char* origin;
    const char* referer;
    bool trusted;
  };
  const Row rows[] = {
      {"http://127.0.0.1:8080", nullptr, true},   // own origin
      {"https://127.0.0.1:8080", nullptr, true},  // own host behind a TLS proxy
      {"http://LOCALHOST:3000", nullptr, false},  // origins are exact
      {"http://localhost:3000", nullptr, true},   // allowed
      {"http://evil.example", nullptr, false},
      {"http://127.0.0.1:8080.evil.example", nullptr, false},
      {"http://127.0.0.1:9999", nullptr, false},      // same host, other port
      {"null", nullptr, false},                       // opaque origin
      {"null", "http://127.0.0.1:8080/page", false},  // an opaque origin is not overridden
      {nullptr, "http://127.0.0.1:8080/page", true},
      {nullptr, "http://localhost:3000/x?y", true},
      {nullptr, "http://evil.example/http://127.0.0.1:8080", false},
      {nullptr, "not a url", false},
      {nullptr, nullptr, false},                                 // no source at all
      {"http://evil.example", "http://127.0.0.1:8080/", false},  // Origin wins
  };
  for (const Row& r : rows) {
    httplib::Request req;
    req.headers.emplace("Host", "127.0.0.1:8080");
    if (r.origin != nullptr) req.headers.emplace("Origin", r.origin);
    if (r.referer != nullptr) req.headers.emplace("Referer", r.referer);
    std::string label =
        std::string(r.origin ? r.origin : "-") + " " + (r.referer ? r.referer : "-");
    INFO(label);
    CHECK(FromTrustedOrigin(req, cors) == r.trusted);
  }
  httplib::Request no_host;
  no_host.headers.emplace("Origin", "http://127.0.0.1:8080");
  CHECK_FALSE(FromTrustedOrigin(no_host, cors));
}

}  // namespace
}  // namespace cairn::http
