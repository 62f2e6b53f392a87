#include "http/handlers_system.h"

#include <doctest/doctest.h>

#include <regex>
#include <string>

#include "../log_capture.h"
#include "../temp_dir.h"
#include "http/envelope.h"
#include "http/server.h"
#include "store/database.h"
#include "store/migrations.h"
#include "util/embedded.h"
#include "util/version.h"

namespace cairn::http {
namespace {

using picojson::object;
using picojson::value;
using testing::StrOf;

// The server's route table over a database in a temporary directory.
struct Api {
  testing::TempDir dir;
  std::unique_ptr<store::Database> db;
  Router router;
  SystemDeps system;
  AppDeps app;

  explicit Api(bool migrated) {
    store::DatabaseOptions opts;
    opts.path = dir.File("cairn.db");
    opts.pool_size = 1;
    if (migrated) {
      testing::LogCapture quiet;
      auto ms = store::ParseMigrations(embedded::Migrations());
      REQUIRE(ms.ok());
      auto conn = store::OpenConnection(opts);
      REQUIRE(conn.ok());
      REQUIRE(store::Migrate(*conn.value(), ms.value()).ok());
    }
    auto opened = store::Database::Open(opts);
    REQUIRE(opened.ok());
    db = std::move(opened.value());
    system.started = std::chrono::steady_clock::now();
    app.db = db.get();
    BuildRoutes(router, system, app);
  }

  // Calls the GET route for path as the dispatcher would, writing any error.
  httplib::Response Get(const std::string& path) {
    Router::Match m = router.Find("GET", path);
    REQUIRE(m.route != nullptr);
    httplib::Request req;
    req.method = "GET";
    req.path = path;
    picojson::object body;
    Call call{req, m.params, body, nullptr, true, "127.0.0.1"};
    httplib::Response res;
    Status st = m.route->handler(call, res);
    if (!st.ok()) WriteError(res, st);
    return res;
  }
};

object Parse(const std::string& text) {
  value v;
  INFO("body: " << text);
  REQUIRE(picojson::parse(v, text).empty());
  REQUIRE(v.is<object>());
  return v.get<object>();
}

// "data" of a success envelope.
object DataOf(const httplib::Response& res) {
  object body = Parse(res.body);
  CHECK(body["success"] == value(true));
  REQUIRE(body["data"].is<object>());
  return body["data"].get<object>();
}

const std::regex kIsoSeconds(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$)");

TEST_CASE("liveness answers with the version, uptime and time") {
  Api api(false);  // touches nothing but the process
  httplib::Response res = api.Get("/health");
  CHECK(res.status == 200);
  object data = DataOf(res);
  CHECK(StrOf(data, "status") == "ok");
  CHECK(StrOf(data, "version") == kVersion);
  REQUIRE(data["uptime"].is<int64_t>());
  CHECK(data["uptime"].get<int64_t>() >= 0);
  CHECK(std::regex_match(StrOf(data, "timestamp"), kIsoSeconds));
}

TEST_CASE("readiness reports the database connected with its latency") {
  Api api(true);
  httplib::Response res = api.Get("/api/v1/health");
  CHECK(res.status == 200);
  object data = DataOf(res);
  CHECK(StrOf(data, "status") == "ok");
  CHECK(StrOf(data, "db") == "connected");
  REQUIRE(data["dbLatencyMs"].is<double>());
  CHECK(data["dbLatencyMs"].get<double>() >= 0.0);
}

TEST_CASE("readiness is 503 with details when the database cannot answer") {
  testing::LogCapture logs;
  Api api(false);  // no schema: the instance table is missing
  for (const char* path : {"/api/v1/health", "/api/health"}) {
    CAPTURE(path);
    httplib::Response res = api.Get(path);
    CHECK(res.status == 503);
    object body = Parse(res.body);
    REQUIRE(body["error"].is<object>());
    object error = body["error"].get<object>();
    CHECK(StrOf(error, "code") == "service_unavailable");
    REQUIRE(error["details"].is<object>());
    object details = error["details"].get<object>();
    CHECK(StrOf(details, "status") == "error");
    CHECK(StrOf(details, "db") == "unavailable");
    CHECK(StrOf(details, "version") == kVersion);
    CHECK(res.body.find("instance") == std::string::npos);  // the cause stays in the log
  }
  CHECK(logs.Events("database_ping_failed").size() == 2);
}

TEST_CASE("discovery lists every current route by service and links the document") {
  Api api(false);
  object data = DataOf(api.Get("/api/v1"));
  CHECK(StrOf(data, "name") == "Cairn");
  CHECK(StrOf(data, "apiVersion") == "v1");
  CHECK(StrOf(data, "version") == kVersion);
  REQUIRE(data["services"].is<object>());
  size_t listed = 0;
  for (const auto& [tag, list] : data["services"].get<object>()) {
    for (const value& v : list.get<picojson::array>()) {
      CAPTURE(v.get<std::string>());
      CHECK(v.get<std::string>() != "GET /api/health");  // deprecated routes are not offered
      ++listed;
    }
  }
  size_t current = 0;
  for (const Route& r : api.router.routes()) current += r.sunset || !r.doc.published ? 0 : 1;
  CHECK(listed == current);  // the web pages (/, /docs, /assets) are not API routes
  object links = data["links"].get<object>();
  CHECK(StrOf(links, "openapi") == "/api/v1/openapi.json");
  CHECK(StrOf(links, "health") == "/api/v1/health");
  CHECK(api.router.Find("GET", StrOf(links, "openapi")).route != nullptr);
  CHECK(api.router.Find("GET", StrOf(links, "health")).route != nullptr);
  CHECK(StrOf(links, "docs") == "/docs");
  CHECK(StrOf(links, "console") == "/");
  CHECK(api.router.Find("GET", StrOf(links, "docs")).route != nullptr);
  CHECK(api.router.Find("GET", StrOf(links, "console")).route != nullptr);
}

TEST_CASE("the OpenAPI route serves the generated document as it is") {
  Api api(false);
  httplib::Response res = api.Get("/api/v1/openapi.json");
  CHECK(res.status == 200);
  CHECK(res.body == api.system.openapi_json);
  CHECK(res.get_header_value("Content-Type") == "application/json; charset=utf-8");
  CHECK(Parse(res.body).count("openapi") == 1);
}

}  // namespace
}  // namespace cairn::http
