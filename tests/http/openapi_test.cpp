#include "http/openapi.h"

#include <doctest/doctest.h>

#include <cctype>
#include <set>
#include <string>
#include <vector>

#include "http/server.h"
#include "util/version.h"

namespace cairn::http {
namespace {

using picojson::array;
using picojson::object;
using picojson::value;

const std::set<std::string> kMethods = {"get",     "put",  "post",  "delete",
                                        "options", "head", "patch", "trace"};

value ParseDoc(const std::string& text) {
  value doc;
  std::string err = picojson::parse(doc, text);
  REQUIRE(err.empty());
  REQUIRE(doc.is<object>());
  return doc;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Every "$ref" string anywhere under v.
void CollectRefs(const value& v, std::vector<std::string>* out) {
  if (v.is<array>()) {
    for (const value& e : v.get<array>()) CollectRefs(e, out);
  } else if (v.is<object>()) {
    for (const auto& [k, e] : v.get<object>()) {
      if (k == "$ref" && e.is<std::string>()) out->push_back(e.get<std::string>());
      CollectRefs(e, out);
    }
  }
}

// The node a local reference ("#/a/b") names, or null.
const value* Resolve(const value& root, const std::string& ref) {
  if (ref.rfind("#/", 0) != 0) return nullptr;
  const value* cur = &root;
  size_t i = 2;
  while (i <= ref.size()) {
    size_t j = ref.find('/', i);
    if (j == std::string::npos) j = ref.size();
    std::string token = ref.substr(i, j - i);
    for (size_t p; (p = token.find("~1")) != std::string::npos;) token.replace(p, 2, "/");
    for (size_t p; (p = token.find("~0")) != std::string::npos;) token.replace(p, 2, "~");
    if (!cur->is<object>()) return nullptr;
    const object& o = cur->get<object>();
    auto it = o.find(token);
    if (it == o.end()) return nullptr;
    cur = &it->second;
    i = j + 1;
  }
  return cur;
}

// The real route table and its document, as the server builds them.
struct RealApi {
  Router router;
  SystemDeps system;
  AppDeps app;
  value doc;
  RealApi() {
    BuildRoutes(router, system, app);
    doc = ParseDoc(system.openapi_json);
  }
  const object& paths() const { return doc.get<object>().at("paths").get<object>(); }
};

TEST_CASE("the document is OpenAPI 3.1 with the release version") {
  RealApi api;
  const object& doc = api.doc.get<object>();
  CHECK(doc.at("openapi") == value("3.1.0"));
  const object& info = doc.at("info").get<object>();
  CHECK(info.at("title") == value("Cairn API"));
  CHECK(info.at("version") == value(kVersion));
  CHECK(doc.at("components").is<object>());
  CHECK(BuildOpenApi(api.router,
                     ApiInfo{"Cairn API", kVersion,
                             doc.at("info").get<object>().at("description").get<std::string>()}) ==
        api.system.openapi_json);
}

TEST_CASE("every route is in the document and every operation is a route") {
  RealApi api;
  REQUIRE_FALSE(api.router.routes().empty());
  std::set<std::pair<std::string, std::string>> routes;
  for (const Route& r : api.router.routes()) {
    if (!r.doc.published) continue;  // the web pages, below
    CAPTURE(r.path);
    CAPTURE(r.method);
    routes.insert({r.path, Lower(r.method)});
    REQUIRE(api.paths().count(r.path) == 1);
    CHECK(api.paths().at(r.path).get<object>().count(Lower(r.method)) == 1);
  }
  size_t operations = 0;
  for (const auto& [path, item] : api.paths()) {
    for (const auto& [method, op] : item.get<object>()) {
      if (!kMethods.count(method)) continue;
      CAPTURE(path);
      CAPTURE(method);
      CHECK(routes.count({path, method}) == 1);
      ++operations;
    }
  }
  CHECK(operations == routes.size());
}

TEST_CASE("the web pages are routes but not operations, and every API route is one") {
  RealApi api;
  std::set<std::string> unpublished;
  for (const Route& r : api.router.routes()) {
    CAPTURE(r.path);
    bool api_path = r.path == "/health" || r.path == "/api" || r.path.rfind("/api/", 0) == 0;
    CHECK(r.doc.published == api_path);
    if (!r.doc.published) unpublished.insert(r.method + " " + r.path);
  }
  CHECK(unpublished == std::set<std::string>{"GET /", "GET /docs", "GET /assets/{file}"});
  CHECK(api.paths().count("/") == 0);
  CHECK(api.paths().count("/docs") == 0);
  CHECK(api.paths().count("/assets/{file}") == 0);
}

TEST_CASE("each operation names its rate-limit class, for the docs page") {
  RealApi api;
  auto cls = [&](const char* path, const char* method) {
    return api.paths().at(path).get<object>().at(method).get<object>().at("x-rate-limit-class");
  };
  CHECK(cls("/health", "get") == value("none"));
  CHECK(cls("/api/v1/users/me", "get") == value("standard"));
  CHECK(cls("/api/v1/auth/login", "post") == value("auth"));
  CHECK(cls("/api/v1/transactions/qr-payment", "post") == value("payments"));
  CHECK(cls("/api/v1/rates", "get") == value("rates"));
}

TEST_CASE("every reference in the document resolves to a component") {
  RealApi api;
  std::vector<std::string> refs;
  CollectRefs(api.doc, &refs);
  REQUIRE_FALSE(refs.empty());
  for (const std::string& ref : refs) {
    CAPTURE(ref);
    CHECK(ref.rfind("#/components/", 0) == 0);
    CHECK(Resolve(api.doc, ref) != nullptr);
  }
  CHECK(Resolve(api.doc, "#/components/nope") == nullptr);  // the resolver can fail
}

TEST_CASE("operation ids are unique and every operation documents its errors") {
  RealApi api;
  std::set<std::string> ids;
  for (const Route& r : api.router.routes()) {
    if (!r.doc.published) continue;
    CAPTURE(r.path);
    const object& op = api.paths().at(r.path).get<object>().at(Lower(r.method)).get<object>();
    REQUIRE(op.at("operationId").is<std::string>());
    CHECK(ids.insert(op.at("operationId").get<std::string>()).second);
    CHECK(op.at("summary").get<std::string>() == r.doc.summary);
    const object& responses = op.at("responses").get<object>();
    CHECK(responses.count(std::to_string(r.doc.success_status)) == 1);
    CHECK(responses.count("500") == 1);
    for (int status : r.doc.errors) CHECK(responses.count(std::to_string(status)) == 1);
  }
}

TEST_CASE("only the sunset /api/health operation is deprecated") {
  RealApi api;
  const object& health = api.paths().at("/api/health").get<object>().at("get").get<object>();
  REQUIRE(health.count("deprecated") == 1);
  CHECK(health.at("deprecated") == value(true));
  CHECK(health.at("responses").get<object>().count("410") == 1);
  for (const Route& r : api.router.routes()) {
    if (r.sunset || !r.doc.published) continue;
    CAPTURE(r.path);
    CHECK(api.paths()
              .at(r.path)
              .get<object>()
              .at(Lower(r.method))
              .get<object>()
              .count("deprecated") == 0);
  }
}

TEST_CASE("a route's parameters, body and responses are described from its declaration") {
  Router router;
  Route r;
  r.method = "PUT";
  r.path = "/api/v1/users/{id}/notes/{note_id}";
  r.handler = [](const Call&, httplib::Response&) { return Status::Ok(); };
  r.doc.tag = "notes";
  r.doc.summary = "Replace a note";
  r.doc.query = {{"dry_run", R"({"type":"boolean"})", "only check", false}};
  r.doc.request_schema = R"({"type":"object","properties":{"text":{"type":"string"}}})";
  r.doc.success_status = 204;
  r.doc.errors = {404, 422};
  router.Add(std::move(r));

  value doc = ParseDoc(BuildOpenApi(router, ApiInfo{"T", "1", ""}));
  const object& op = doc.get<object>()
                         .at("paths")
                         .get<object>()
                         .at("/api/v1/users/{id}/notes/{note_id}")
                         .get<object>()
                         .at("put")
                         .get<object>();
  CHECK(op.at("operationId") == value("putApiV1UsersByIdNotesByNoteId"));
  CHECK(op.at("tags").get<array>() == array{value("notes")});

  std::vector<std::string> params;
  for (const value& p : op.at("parameters").get<array>()) {
    const object& o = p.get<object>();
    params.push_back(o.at("in").get<std::string>() + ":" + o.at("name").get<std::string>());
    if (o.at("in") == value("path")) CHECK(o.at("required") == value(true));
  }
  CHECK(params == std::vector<std::string>{"path:id", "path:note_id", "query:dry_run",
                                           "header:X-Correlation-ID"});

  const object& body = op.at("requestBody").get<object>();
  CHECK(body.at("required") == value(true));
  std::set<std::string> statuses;
  for (const auto& [status, resp] : op.at("responses").get<object>()) statuses.insert(status);
  CHECK(statuses == std::set<std::string>{"204", "400", "404", "413", "415", "422", "500"});
  CHECK(op.at("responses").get<object>().at("204").get<object>().count("content") == 0);
  CHECK(doc.get<object>().at("tags").get<array>().size() == 1);
}

}  // namespace
}  // namespace cairn::http
