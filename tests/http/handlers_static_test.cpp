#include "http/handlers_static.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "http/envelope.h"

namespace cairn::http {
namespace {

const embedded::File kFiles[] = {
    {"assets/app.css", "body{}"},
    {"assets/app.js", "console.log(1)"},
    {"assets/logo.svg", "<svg/>"},
    {"docs.html", "<!doctype html><title>docs</title>"},
    {"index.html", "<!doctype html><title>console</title>"},
    {"secret.txt", "not under assets/"},
};

// The static routes over kFiles, called as the dispatcher would call them.
struct Pages {
  Router router;
  Pages() { RegisterStaticRoutes(router, kFiles); }

  httplib::Response Get(const std::string& path, const std::string& if_none_match = "",
                        const std::string& method = "GET") {
    Router::Match m = router.Find(method, path);
    httplib::Response res;
    if (m.route == nullptr) {
      res.status = 404;
      return res;
    }
    httplib::Request req;
    req.method = method;
    req.path = path;
    if (!if_none_match.empty()) req.set_header("If-None-Match", if_none_match);
    picojson::object body;
    Call call{req, m.params, body, nullptr, true, "127.0.0.1"};
    Status st = m.route->handler(call, res);
    if (!st.ok()) WriteError(res, st);
    return res;
  }
};

TEST_CASE("content types follow the file extension") {
  CHECK(ContentTypeFor("index.html") == "text/html; charset=utf-8");
  CHECK(ContentTypeFor("assets/console.js") == "text/javascript; charset=utf-8");
  CHECK(ContentTypeFor("assets/console.css") == "text/css; charset=utf-8");
  CHECK(ContentTypeFor("assets/mark.svg") == "image/svg+xml");
  CHECK(ContentTypeFor("assets/x.png") == "image/png");
  CHECK(ContentTypeFor("assets/README") == "application/octet-stream");
  CHECK(ContentTypeFor("assets/x.js.map") == "application/octet-stream");
}

TEST_CASE("If-None-Match matches a listed tag, weakly, or any tag with *") {
  const std::string tag = "\"0123abcd\"";
  struct Case {
    const char* header;
    bool match;
  };
  const Case cases[] = {
      {"\"0123abcd\"", true},
      {"W/\"0123abcd\"", true},
      {"\"other\", \"0123abcd\"", true},
      {"\"other\",W/\"0123abcd\" ", true},
      {"*", true},
      {"", false},
      {"\"0123abc\"", false},
      {"0123abcd", false},
      {"\"other\"", false},
      {",,", false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.header);
    CHECK(EtagMatches(c.header, tag) == c.match);
  }
}

TEST_CASE("the console, the docs page and assets are served with their types and a tag") {
  Pages pages;
  struct Want {
    const char* path;
    const char* type;
    const char* body;
  };
  const Want wants[] = {
      {"/", "text/html; charset=utf-8", "<!doctype html><title>console</title>"},
      {"/docs", "text/html; charset=utf-8", "<!doctype html><title>docs</title>"},
      {"/assets/app.js", "text/javascript; charset=utf-8", "console.log(1)"},
      {"/assets/app.css", "text/css; charset=utf-8", "body{}"},
      {"/assets/logo.svg", "image/svg+xml", "<svg/>"},
  };
  std::vector<std::string> tags;
  for (const Want& w : wants) {
    CAPTURE(w.path);
    httplib::Response res = pages.Get(w.path);
    CHECK(res.status == 200);
    CHECK(res.get_header_value("Content-Type") == w.type);
    CHECK(res.body == w.body);
    CHECK(res.get_header_value("Cache-Control") == "no-cache");
    std::string tag = res.get_header_value("ETag");
    CHECK(tag.size() == 18);  // 16 hex digits, quoted
    CHECK(tag.front() == '"');
    CHECK(tag.back() == '"');
    tags.push_back(tag);
  }
  for (size_t i = 1; i < tags.size(); ++i) CHECK(tags[i] != tags[0]);  // content decides
  CHECK(pages.Get("/").get_header_value("ETag") == tags[0]);           // and nothing else
}

TEST_CASE("a matching If-None-Match is 304 with no body but the 200's type and length") {
  Pages pages;
  httplib::Response first = pages.Get("/");
  std::string tag = first.get_header_value("ETag");
  httplib::Response again = pages.Get("/", tag);
  CHECK(again.status == 304);
  CHECK(again.body.empty());
  CHECK(again.get_header_value("ETag") == tag);
  // The pipeline sets the HTML Content-Security-Policy from this type: a 304
  // without it would overwrite the cached page's policy.
  CHECK(again.get_header_value("Content-Type") == "text/html; charset=utf-8");
  CHECK(again.get_header_value("Content-Length") == std::to_string(first.body.size()));
  CHECK(pages.Get("/", "\"stale\"").status == 200);
  CHECK(pages.Get("/docs", tag).status == 200);  // another file's tag
}

TEST_CASE("unknown assets and names outside assets/ are 404 envelopes") {
  Pages pages;
  for (const char* path : {"/assets/nope.js", "/assets/..", "/assets/.", "/assets/secret.txt",
                           "/assets/index.html", "/assets/.hidden", "/assets/app.js%00"}) {
    CAPTURE(path);
    httplib::Response res = pages.Get(path);
    CHECK(res.status == 404);
    CHECK(res.body.find("\"not_found\"") != std::string::npos);
  }
  // More than one segment matches no route at all (the pipeline's 404).
  CHECK(pages.router.Find("GET", "/assets/../index.html").route == nullptr);
  CHECK(pages.router.Find("GET", "/assets/x/app.js").route == nullptr);
}

TEST_CASE("HEAD is served by the same routes and web pages are not API operations") {
  Pages pages;
  CHECK(pages.router.Find("HEAD", "/docs").route != nullptr);
  CHECK(pages.router.Find("POST", "/").route == nullptr);
  for (const Route& r : pages.router.routes()) {
    CAPTURE(r.path);
    CHECK_FALSE(r.doc.published);
    CHECK(r.rate_class == RateClass::kNever);
    CHECK(r.auth == Auth::kPublic);
  }
}

TEST_CASE("without the files the pages are 404, not a crash") {
  Router router;
  RegisterStaticRoutes(router, {});
  Router::Match m = router.Find("GET", "/");
  REQUIRE(m.route != nullptr);
  httplib::Request req;
  picojson::object body;
  Call call{req, m.params, body, nullptr, true, "127.0.0.1"};
  httplib::Response res;
  CHECK(m.route->handler(call, res).code() == Code::kNotFound);
}

}  // namespace
}  // namespace cairn::http
