// The web pages over HTTP against the real binary: the console at /, the
// API reference at /docs and their assets, as compiled in from static/.

#include <doctest/doctest.h>

#include <string>

#include "harness.h"

using namespace cairn::test;

namespace {

const char kHtmlPolicy[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

// A raw GET of target (sent as is, so nothing normalises it on the way).
std::string RawGet(int port, const std::string& target) {
  return RawExchange(port,
                     "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
}

}  // namespace

TEST_CASE("web pages: / and /docs are HTML under the strict policy, assets have their types") {
  ServerProcess server;
  auto cli = server.Client();
  struct Want {
    const char* path;
    const char* type;
    const char* contains;
  };
  const Want wants[] = {
      {"/", "text/html; charset=utf-8", "/assets/console.js"},
      {"/docs", "text/html; charset=utf-8", "/assets/docs.js"},
      {"/assets/console.js", "text/javascript; charset=utf-8", "PANELS"},
      {"/assets/docs.js", "text/javascript; charset=utf-8", "openapi.json"},
      {"/assets/console.css", "text/css; charset=utf-8", "{"},
      {"/assets/favicon.svg", "image/svg+xml", "<svg"},
  };
  for (const Want& w : wants) {
    CAPTURE(w.path);
    auto res = cli.Get(w.path);
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->get_header_value("Content-Type") == w.type);
    CHECK(res->body.find(w.contains) != std::string::npos);
    CHECK(res->get_header_value("Cache-Control") == "no-cache");
    CHECK(!res->get_header_value("ETag").empty());
    CHECK(res->get_header_value("X-Content-Type-Options") == "nosniff");
    CHECK(!res->get_header_value("X-Request-ID").empty());
    std::string csp = res->get_header_value("Content-Security-Policy");
    if (std::string(w.type).rfind("text/html", 0) == 0) {
      CHECK(csp == kHtmlPolicy);
      CHECK(res->body.find("<script>") == std::string::npos);  // no inline script
      CHECK(res->body.find("style=") == std::string::npos);    // no inline style
      CHECK(res->body.find(" onclick") == std::string::npos);  // no inline handler
    } else {
      CHECK(csp == "default-src 'none'; frame-ancestors 'none'");
    }
  }
}

TEST_CASE("web pages: a matching ETag is 304 with the page's own policy, a stale one 200") {
  ServerProcess server;
  auto cli = server.Client();
  for (const char* path : {"/", "/docs", "/assets/console.js"}) {
    CAPTURE(path);
    auto first = cli.Get(path);
    REQUIRE(first);
    REQUIRE(first->status == 200);
    std::string tag = first->get_header_value("ETag");
    auto again = cli.Get(path, {{"If-None-Match", tag}});
    REQUIRE(again);
    CHECK(again->status == 304);
    CHECK(again->body.empty());
    CHECK(again->get_header_value("ETag") == tag);
    // A 304's headers replace the cached ones: the policy must not change.
    CHECK(again->get_header_value("Content-Security-Policy") ==
          first->get_header_value("Content-Security-Policy"));
    auto stale = cli.Get(path, {{"If-None-Match", "\"0000000000000000\""}});
    REQUIRE(stale);
    CHECK(stale->status == 200);
    CHECK(stale->body == first->body);
  }
}

TEST_CASE("web pages: HEAD answers like GET without a body, other methods are 405") {
  ServerProcess server;
  auto cli = server.Client();
  auto get = cli.Get("/docs");
  auto head = cli.Head("/docs");
  REQUIRE(get);
  REQUIRE(head);
  CHECK(head->status == 200);
  CHECK(head->body.empty());
  CHECK(head->get_header_value("Content-Type") == "text/html; charset=utf-8");
  CHECK(head->get_header_value("Content-Length") == std::to_string(get->body.size()));
  CHECK(head->get_header_value("ETag") == get->get_header_value("ETag"));

  auto post = cli.Post("/", "{}", "application/json");
  REQUIRE(post);
  CHECK(post->status == 405);
  CHECK(post->get_header_value("Allow") == "GET, HEAD, OPTIONS");
}

TEST_CASE("web pages: unknown assets and traversal attempts are 404 envelopes") {
  ServerProcess server;
  for (const char* target :
       {"/assets/nope.js", "/assets/../index.html", "/assets/%2e%2e/index.html",
        "/assets/..%2findex.html", "/assets/%2E%2E%2Fdocs.html", "/assets/..", "/assets/%2e%2e",
        "/assets/./console.js", "/assets//console.js/..", "/assets/console.js%00.html",
        "/assets/.%2e/.%2e/etc/passwd", "/../../etc/passwd", "/index.html", "/docs.html",
        "/static/index.html", "/assets/", "/assets"}) {
    CAPTURE(target);
    std::string raw = RawGet(server.port(), target);
    int status = RawStatus(raw);
    CHECK((status == 404 || status == 400));
    std::string body = RawBody(raw);
    CHECK(body.find("<!doctype") == std::string::npos);
    CHECK(body.find("PANELS") == std::string::npos);
    CHECK(body.find("root:") == std::string::npos);
    if (status == 404) {
      auto json = JsonBody(body);
      CHECK(GetStr(json, "error.code") == "not_found");
    }
  }
}

TEST_CASE("web pages are not in the OpenAPI document or discovery, which links to them") {
  ServerProcess server;
  auto cli = server.Client();
  auto doc = cli.Get("/api/v1/openapi.json");
  REQUIRE(doc);
  auto paths = Get(JsonBody(doc->body), "paths").get<picojson::object>();
  CHECK(paths.count("/") == 0);
  CHECK(paths.count("/docs") == 0);
  CHECK(paths.count("/assets/{file}") == 0);

  auto discovery = cli.Get("/api/v1");
  REQUIRE(discovery);
  auto body = JsonBody(discovery->body);
  CHECK(GetStr(body, "data.links.docs") == "/docs");
  CHECK(GetStr(body, "data.links.console") == "/");
  CHECK(Get(body, "data.services.web").is<picojson::null>());
  // The API keeps its own cache rule.
  CHECK(discovery->get_header_value("Cache-Control") == "no-store");
}
