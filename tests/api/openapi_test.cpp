// The OpenAPI document as clients get it, from the server and from `cairn
// openapi`, checked by a validator that is not Cairn's own: npm's
// @apidevtools/swagger-parser, run as `node tests/interop/openapi.js` (node
// from PATH; `make test` installs node and the package through
// scripts/deps.sh test). A missing node or package fails these tests; it
// does not skip them. tests/http/openapi_test.cpp checks that the document and
// the route table agree.

#include <doctest/doctest.h>

#include <cctype>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "harness.h"

using namespace cairn::test;

namespace {

// Relative to the repository root, where the API tests run (as for build/cairn).
const char kValidator[] = "tests/interop/openapi.js";

// The validator's verdict on a document given as JSON text.
CliResult Validate(const std::string& doc) {
  TempDir dir;
  const std::string path = dir.File("openapi.json");
  {
    std::ofstream out(path, std::ios::binary);
    out << doc;
    REQUIRE(out.good());
  }
  return RunNode({kValidator, path});
}

// The document GET /api/v1/openapi.json serves.
std::string Served(const ServerProcess& server) {
  httplib::Client cli = server.Client();
  auto res = cli.Get("/api/v1/openapi.json");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  CHECK(res->get_header_value("Content-Type").rfind("application/json", 0) == 0);
  return res->body;
}

// The member of nested objects at `keys`; each must exist.
picojson::value& At(picojson::value& v, const std::vector<std::string>& keys) {
  picojson::value* cur = &v;
  for (const std::string& k : keys) {
    INFO("key " << k);
    REQUIRE(cur->is<picojson::object>());
    picojson::object& o = cur->get<picojson::object>();
    REQUIRE(o.count(k) == 1);
    cur = &o[k];
  }
  return *cur;
}

}  // namespace

TEST_CASE("the served OpenAPI document is cairn openapi's and swagger-parser validates it as 3.1") {
  // FEATURE_CARDS adds routes: both forms of the document must follow it.
  for (const char* cards : {"0", "1"}) {
    INFO("FEATURE_CARDS=" << cards);
    ServerProcess::Options options;
    options.env["FEATURE_CARDS"] = cards;
    ServerProcess server(options);
    const std::string served = Served(server);
    CHECK((served.find("\"/api/v1/cards\"") != std::string::npos) == (cards[0] == '1'));

    CliResult cli = RunCli({"openapi"}, options.env);
    REQUIRE(cli.exit_code == 0);
    CHECK(cli.out == served + "\n");

    CliResult verdict = Validate(served);
    INFO("openapi.js: " << verdict.err);
    REQUIRE(verdict.exit_code == 0);
    CHECK(verdict.out.rfind("valid OpenAPI 3.1.0: ", 0) == 0);
  }
}

TEST_CASE("the served document has an operation for every route discovery lists") {
  ServerProcess server;
  picojson::value doc(JsonBody(Served(server)));
  const picojson::object& paths = At(doc, {"paths"}).get<picojson::object>();
  httplib::Client cli = server.Client();
  picojson::object discovery = DataOf(cli.Get("/api/v1"), 200);
  const picojson::value services = Get(discovery, "services");
  REQUIRE(services.is<picojson::object>());

  std::set<std::string> listed;
  for (const auto& [tag, routes] : services.get<picojson::object>()) {
    for (const picojson::value& r : routes.get<picojson::array>()) {
      const std::string& route = r.get<std::string>();  // "GET /api/v1/users"
      listed.insert(route);
      size_t space = route.find(' ');
      REQUIRE(space != std::string::npos);
      std::string method = route.substr(0, space);
      for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const std::string path = route.substr(space + 1);
      INFO(route);
      REQUIRE(paths.count(path) == 1);
      REQUIRE(paths.at(path).get<picojson::object>().count(method) == 1);
      const picojson::object& op =
          paths.at(path).get<picojson::object>().at(method).get<picojson::object>();
      REQUIRE(op.at("tags").is<picojson::array>());
      CHECK(op.at("tags").get<picojson::array>().front() == picojson::value(tag));
    }
  }
  // Discovery leaves out only deprecated routes; the document marks them.
  for (const auto& [path, item] : paths) {
    for (const auto& [method, op] : item.get<picojson::object>()) {
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (listed.count(upper + " " + path)) continue;
      INFO(upper << " " << path);
      CHECK(op.get<picojson::object>().count("deprecated") == 1);
    }
  }
}

TEST_CASE("the validator refuses the served document with a broken reference, response or schema") {
  ServerProcess server;
  const std::string served = Served(server);
  struct Breakage {
    const char* what;
    std::function<void(picojson::value&)> apply;
    const char* says;  // in the validator's message
  };
  const Breakage breakages[] = {
      {"a $ref to a response that does not exist",
       [](picojson::value& doc) {
         At(doc, {"paths", "/api/v1/health", "get", "responses", "503", "$ref"}) =
             picojson::value("#/components/responses/NoSuchResponse");
       },
       "Missing $ref pointer"},
      {"a response without its description (required by the 3.1 schema)",
       [](picojson::value& doc) {
         At(doc, {"components", "responses", "NotFound"})
             .get<picojson::object>()
             .erase("description");
       },
       "must have required property 'description'"},
      {"a data schema with a misspelt type",
       [](picojson::value& doc) {
         At(doc, {"components", "schemas", "FieldError", "type"}) = picojson::value("objekt");
       },
       "JSON Schema 2020-12 validation failed"},
      {"an OpenAPI 3.0 document",
       [](picojson::value& doc) { At(doc, {"openapi"}) = picojson::value("3.0.3"); },
       "expected an OpenAPI 3.1"},
  };
  for (const Breakage& b : breakages) {
    INFO(b.what);
    picojson::value doc(JsonBody(served));
    b.apply(doc);
    CliResult verdict = Validate(doc.serialize());
    CHECK(verdict.exit_code == 1);
    CHECK(verdict.err.find(b.says) != std::string::npos);
    CHECK(verdict.out.empty());
  }
}

TEST_CASE("x-rate-limits publishes the rules the server was started with, or that it has none") {
  ServerProcess::Options options;
  options.env["RATE_LIMIT_ENABLED"] = "1";
  options.env["RATE_LIMIT_AUTH"] = "5/1m";
  options.env["RATE_LIMIT_USER"] = "30/1m,500/1h";
  ServerProcess server(options);
  const std::string served = Served(server);
  CliResult cli = RunCli({"openapi"}, options.env);
  REQUIRE(cli.exit_code == 0);
  CHECK(cli.out == served + "\n");

  picojson::value doc;
  REQUIRE(picojson::parse(doc, served).empty());
  CHECK(At(doc, {"x-rate-limits", "enabled"}).get<bool>());
  // class/appliesTo -> per and "count/window,..." for every rule.
  std::map<std::string, std::string> rules;
  for (const picojson::value& r : At(doc, {"x-rate-limits", "rules"}).get<picojson::array>()) {
    const picojson::object& o = r.get<picojson::object>();
    std::string limits;
    for (const picojson::value& l : o.at("limits").get<picojson::array>()) {
      if (!limits.empty()) limits += ",";
      limits += std::to_string(l.get("count").get<int64_t>()) + "/" +
                std::to_string(l.get("windowSeconds").get<int64_t>());
    }
    rules[o.at("class").get<std::string>() + "/" + o.at("appliesTo").get<std::string>()] =
        o.at("per").get<std::string>() + " " + limits;
  }
  CHECK(rules == std::map<std::string, std::string>{
                     {"standard/anonymous", "ip 100/900"},
                     {"standard/user", "user 30/60,500/3600"},
                     {"standard/merchant", "user 300/60,10000/3600"},
                     {"standard/admin", "user "},
                     {"auth/anyone", "ip 5/60"},
                     {"payments/signed-in", "user 10/60"},
                     {"rates/anyone", "ip 120/60"},
                 });

  // Off (the harness's default), nothing is promised.
  ServerProcess off;
  picojson::value off_doc;
  REQUIRE(picojson::parse(off_doc, Served(off)).empty());
  CHECK_FALSE(At(off_doc, {"x-rate-limits", "enabled"}).get<bool>());
  CHECK(At(off_doc, {"x-rate-limits", "rules"}).get<picojson::array>().empty());
}
