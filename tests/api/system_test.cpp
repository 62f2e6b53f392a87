// System routes over HTTP: liveness, readiness, the deprecated alias,
// discovery and the OpenAPI document, against the real binary.

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

#include <regex>
#include <set>

#include "harness.h"

using namespace cairn::test;

TEST_CASE("GET /health answers ok with version, uptime and timestamp in the envelope") {
  ServerProcess server;
  auto cli = server.Client();
  auto res = cli.Get("/health");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->get_header_value("Content-Type") == "application/json; charset=utf-8");
  auto body = JsonBody(res->body);
  CHECK(Get(body, "success").get<bool>() == true);
  CHECK(GetStr(body, "data.status") == "ok");
  CHECK(GetStr(body, "data.version") == "0.1.0");
  CHECK(Get(body, "data.uptime").is<int64_t>());
  CHECK(std::regex_match(GetStr(body, "data.timestamp"),
                         std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
}

TEST_CASE("HEAD /health answers 200 with no body") {
  ServerProcess server;
  auto cli = server.Client();
  auto res = cli.Head("/health");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body.empty());
}

TEST_CASE("GET /api/v1/health reads the database and reports its latency") {
  ServerProcess server;
  auto cli = server.Client();
  auto res = cli.Get("/api/v1/health");
  REQUIRE(res);
  CHECK(res->status == 200);
  auto body = JsonBody(res->body);
  CHECK(GetStr(body, "data.status") == "ok");
  CHECK(GetStr(body, "data.db") == "connected");
  REQUIRE(Get(body, "data.dbLatencyMs").is<double>());
  CHECK(Get(body, "data.dbLatencyMs").get<double>() >= 0.0);
  CHECK(GetStr(body, "data.version") == "0.1.0");
  CHECK(Get(body, "data.uptime").is<int64_t>());
  CHECK(res->get_header_value("Deprecation").empty());
}

TEST_CASE("readiness is 503 with status error when the database cannot answer, then recovers") {
  ServerProcess server;
  auto cli = server.Client();
  {
    // Damage the schema from outside: the readiness query then fails.
    SQLite::Database db(server.db_path(), SQLite::OPEN_READWRITE);
    db.exec("ALTER TABLE instance RENAME TO instance_moved");
  }
  auto res = cli.Get("/api/v1/health");
  REQUIRE(res);
  CHECK(res->status == 503);
  auto body = JsonBody(res->body);
  CHECK(Get(body, "success").get<bool>() == false);
  CHECK(GetStr(body, "error.code") == "service_unavailable");
  CHECK(GetStr(body, "error.details.status") == "error");
  CHECK(GetStr(body, "error.details.db") == "unavailable");
  CHECK(res->body.find("instance") == std::string::npos);  // no SQL or schema leaks
  CHECK(res->body.find("no such table") == std::string::npos);

  // Liveness is unaffected: the process is fine, its dependency is not.
  auto live = cli.Get("/health");
  REQUIRE(live);
  CHECK(live->status == 200);

  {
    SQLite::Database db(server.db_path(), SQLite::OPEN_READWRITE);
    db.exec("ALTER TABLE instance_moved RENAME TO instance");
  }
  res = cli.Get("/api/v1/health");
  REQUIRE(res);
  CHECK(res->status == 200);
}

TEST_CASE("GET /api/health is a deprecated alias with Deprecation, X-API-Deprecated and Sunset") {
  ServerProcess server;
  auto cli = server.Client();
  auto res = cli.Get("/api/health");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->get_header_value("Deprecation") == "true");
  CHECK(res->get_header_value("X-API-Deprecated") == "true");
  CHECK(res->get_header_value("Sunset") == "Wed, 30 Jun 2027 00:00:00 GMT");
  CHECK(res->get_header_value("Link") == "</api/v1/health>; rel=\"successor-version\"");
  auto body = JsonBody(res->body);
  CHECK(GetStr(body, "data.db") == "connected");
}

TEST_CASE("GET /api/v1 lists every served route and links to the OpenAPI document") {
  ServerProcess server;
  auto cli = server.Client();
  auto res = cli.Get("/api/v1");
  REQUIRE(res);
  CHECK(res->status == 200);
  auto body = JsonBody(res->body);
  CHECK(GetStr(body, "data.apiVersion") == "v1");
  CHECK(GetStr(body, "data.links.openapi") == "/api/v1/openapi.json");
  auto system = Get(body, "data.services.system");
  REQUIRE(system.is<picojson::array>());
  std::set<std::string> listed;
  for (const auto& v : system.get<picojson::array>()) listed.insert(v.get<std::string>());
  CHECK(listed.count("GET /health") == 1);
  CHECK(listed.count("GET /api/v1/health") == 1);
  CHECK(listed.count("GET /api/v1/openapi.json") == 1);
  CHECK(listed.count("GET /api/health") == 0);  // deprecated routes are not advertised
  // Every advertised route really answers (not 404/405).
  for (const std::string& r : listed) {
    std::string path = r.substr(4);
    auto probe = cli.Get(path);
    REQUIRE(probe);
    CHECK_MESSAGE(probe->status == 200, r);
  }
}

TEST_CASE("the OpenAPI document is served, is 3.1, and matches `cairn openapi`") {
  ServerProcess server;
  auto cli = server.Client();
  auto res = cli.Get("/api/v1/openapi.json");
  REQUIRE(res);
  CHECK(res->status == 200);
  auto doc = JsonBody(res->body);
  CHECK(GetStr(doc, "openapi") == "3.1.0");
  CHECK(Get(doc, "paths./api/v1/health.get").is<picojson::object>());
  CHECK(Get(doc, "paths./api/health.get.deprecated").get<bool>() == true);

  CliResult cli_doc = RunCli({"openapi"});
  CHECK(cli_doc.exit_code == 0);
  CHECK(cli_doc.out == res->body + "\n");
}

TEST_CASE("every request writes one JSON log line with its id and never its body") {
  ServerProcess server;
  auto cli = server.Client();
  auto res = cli.Post("/api/v1/health", R"({"password":"hunter2-secret"})", "application/json");
  REQUIRE(res);
  CHECK(res->status == 405);
  std::string id = res->get_header_value("X-Request-ID");
  REQUIRE(server.Stop() == 0);

  std::string log = server.Stdout();
  CHECK(log.find("hunter2") == std::string::npos);
  size_t at = log.find("\"requestId\":\"" + id + "\"");
  REQUIRE(at != std::string::npos);
  size_t begin = log.rfind('\n', at);
  begin = begin == std::string::npos ? 0 : begin + 1;
  std::string line = log.substr(begin, log.find('\n', at) - begin);
  auto entry = JsonBody(line);
  CHECK(GetStr(entry, "event") == "request");
  CHECK(GetStr(entry, "method") == "POST");
  CHECK(GetStr(entry, "path") == "/api/v1/health");
  CHECK(Get(entry, "status").get<int64_t>() == 405);
  CHECK(Get(entry, "durationMs").is<double>());
  // Startup and shutdown are logged too, each line valid JSON.
  CHECK(log.find("\"event\":\"server_listening\"") != std::string::npos);
  CHECK(log.find("\"event\":\"shutdown_complete\"") != std::string::npos);
  std::stringstream ss(log);
  std::string l;
  while (std::getline(ss, l)) JsonBody(l);
}
