#include "http/router.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace cairn::http {
namespace {

Route R(const char* method, const char* path) {
  Route r;
  r.method = method;
  r.path = path;
  r.handler = [](const Call&, httplib::Response&) { return Status::Ok(); };
  return r;
}

Router Build() {
  Router router;
  router.Add(R("GET", "/"));
  router.Add(R("GET", "/health"));
  router.Add(R("GET", "/api/v1/users"));
  router.Add(R("POST", "/api/v1/users"));
  router.Add(R("GET", "/api/v1/users/{id}"));
  router.Add(R("PATCH", "/api/v1/users/{id}"));
  router.Add(R("DELETE", "/api/v1/users/{id}"));
  router.Add(R("GET", "/api/v1/users/{id}/posts/{post_id}"));
  router.Add(R("POST", "/api/v1/login"));
  return router;
}

TEST_CASE("requests are matched to routes by method and path") {
  const Router router = Build();
  struct Row {
    std::string method;
    std::string path;
    std::string route;  // empty: no match
    std::vector<std::pair<std::string, std::string>> params;
  };
  const std::vector<Row> rows = {
      {"GET", "/", "/", {}},
      {"GET", "", "/", {}},
      {"GET", "/health", "/health", {}},
      {"GET", "/api/v1/users", "/api/v1/users", {}},
      {"POST", "/api/v1/users", "/api/v1/users", {}},
      {"GET", "/api/v1/users/", "/api/v1/users", {}},
      {"GET", "//api//v1///users//", "/api/v1/users", {}},
      {"GET", "/api/v1/users/usr_1", "/api/v1/users/{id}", {{"id", "usr_1"}}},
      {"HEAD", "/api/v1/users/usr_1", "/api/v1/users/{id}", {{"id", "usr_1"}}},
      {"PATCH", "/api/v1/users/u%20x", "/api/v1/users/{id}", {{"id", "u%20x"}}},
      {"DELETE", "/api/v1/users/me/", "/api/v1/users/{id}", {{"id", "me"}}},
      {"GET",
       "/api/v1/users/u1/posts/p2",
       "/api/v1/users/{id}/posts/{post_id}",
       {{"id", "u1"}, {"post_id", "p2"}}},
      {"GET", "/api/v1/users/u1/posts", "", {}},
      {"GET", "/api/v1/users/u1/extra", "", {}},
      {"GET", "/api/v1/users/u1/posts/p2/x", "", {}},
      {"GET", "/API/v1/users", "", {}},
      {"GET", "/api/v1", "", {}},
      {"GET", "/nope", "", {}},
      {"PUT", "/api/v1/users/u1", "", {}},
      {"get", "/health", "", {}},
      {"HEAD", "/api/v1/login", "", {}},
  };
  for (const Row& r : rows) {
    CAPTURE(r.method);
    CAPTURE(r.path);
    Router::Match m = router.Find(r.method, r.path);
    if (r.route.empty()) {
      CHECK(m.route == nullptr);
      continue;
    }
    REQUIRE(m.route != nullptr);
    CHECK(m.route->path == r.route);
    CHECK(m.route->method == (r.method == "HEAD" ? "GET" : r.method));
    CHECK(m.params.values == r.params);
    CHECK(m.allow.empty());
  }
}

TEST_CASE("a path served with other methods lists them in Allow") {
  const Router router = Build();
  struct Row {
    std::string method;
    std::string path;
    std::string allow;
  };
  const std::vector<Row> rows = {
      {"PUT", "/api/v1/users/u1", "GET, HEAD, PATCH, DELETE, OPTIONS"},
      {"POST", "/api/v1/users/u1/", "GET, HEAD, PATCH, DELETE, OPTIONS"},
      {"DELETE", "/api/v1/users", "GET, HEAD, POST, OPTIONS"},
      {"GET", "/api/v1/login", "POST, OPTIONS"},
      {"HEAD", "/api/v1/login", "POST, OPTIONS"},
      {"OPTIONS", "/health", "GET, HEAD, OPTIONS"},
      {"TRACE", "/health", "GET, HEAD, OPTIONS"},
      {"GET", "/nope", ""},
      {"POST", "/api/v1/users/u1/posts", ""},
  };
  for (const Row& r : rows) {
    CAPTURE(r.method);
    CAPTURE(r.path);
    Router::Match m = router.Find(r.method, r.path);
    CHECK(m.route == nullptr);
    CHECK(m.allow == r.allow);
    CHECK(router.AllowFor(r.path) == r.allow);
  }
  CHECK(router.AllowFor("/api/v1/users/u1") == "GET, HEAD, PATCH, DELETE, OPTIONS");
}

TEST_CASE("path parameters outlive the path they were taken from") {
  const Router router = Build();
  Router::Match m;
  {
    std::string path = "/api/v1/users/usr_0123456789abcdef/posts/pst_1";
    m = router.Find("GET", path);
    path.assign(path.size(), 'x');
  }
  REQUIRE(m.route != nullptr);
  CHECK(m.params.Get("id") == "usr_0123456789abcdef");
  CHECK(m.params.Get("post_id") == "pst_1");
  CHECK(m.params.Get("missing").empty());
}

TEST_CASE("routes are kept in the order they were added") {
  const Router router = Build();
  REQUIRE(router.routes().size() == 9);
  CHECK(router.routes().front().path == "/");
  CHECK(router.routes().back().path == "/api/v1/login");
}

TEST_CASE("the same path may be added once per method") {
  Router router;
  router.Add(R("GET", "/x/{id}"));
  router.Add(R("PUT", "/x/{id}"));
  router.Add(R("GET", "/x/{id}/y"));
  CHECK(router.routes().size() == 3);
  CHECK(router.AllowFor("/x/1") == "GET, HEAD, PUT, OPTIONS");
}

TEST_CASE("paths split into their non-empty segments") {
  struct Row {
    std::string path;
    std::vector<std::string_view> segments;
  };
  const std::vector<Row> rows = {
      {"", {}},
      {"/", {}},
      {"///", {}},
      {"a", {"a"}},
      {"/a/b/", {"a", "b"}},
      {"//a//b//", {"a", "b"}},
      {"/api/v1/users/{id}", {"api", "v1", "users", "{id}"}},
  };
  for (const Row& r : rows) {
    CAPTURE(r.path);
    CHECK(SplitPath(r.path) == r.segments);
  }
}

}  // namespace
}  // namespace cairn::http
