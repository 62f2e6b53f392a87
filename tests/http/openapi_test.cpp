#include "http/openapi.h"

#include <doctest/doctest.h>

#include <cctype>
#include <set>
#include <string>
#include <vector>

#include "http/lists.h"
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

// The real route table and its document, as the server builds them, with
// every optional area (FEATURE_CARDS) on so that every route is in it.
struct RealApi {
  Router router;
  SystemDeps system;
  AppDeps app;
  value doc;
  RealApi() {
    app.payments.cards_enabled = true;
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

// The document's path with each {name} filled in, as a client would send it,
// and the values used, by name.
std::string Concrete(const std::string& path,
                     std::vector<std::pair<std::string, std::string>>* values) {
  std::string out;
  for (size_t i = 0; i < path.size();) {
    size_t open = path.find('{', i);
    if (open == std::string::npos) {
      out += path.substr(i);
      break;
    }
    size_t close = path.find('}', open);
    REQUIRE(close != std::string::npos);
    std::string name = path.substr(open + 1, close - open - 1);
    // Not a literal segment of any route, so the router must take it as a value.
    std::string v = "zz" + std::to_string(values->size()) + "_9f2c0123456789ab";
    values->push_back({name, v});
    out += path.substr(i, open - i) + v;
    i = close + 1;
  }
  return out;
}

// Each operation of `doc` the router would not dispatch to the route the
// operation documents, with the reason ("GET /a/me: served by GET /a/{id}").
// Also counts the operations.
std::vector<std::string> Undispatched(const Router& router, const value& doc, size_t* operations) {
  std::vector<std::string> out;
  *operations = 0;
  for (const auto& [path, item] : doc.get<object>().at("paths").get<object>()) {
    for (const auto& [method, op] : item.get<object>()) {
      if (!kMethods.count(method)) continue;
      ++*operations;
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      const std::string what = upper + " " + path;
      std::vector<std::pair<std::string, std::string>> values;
      Router::Match m = router.Find(upper, Concrete(path, &values));
      if (m.route == nullptr) {
        out.push_back(what + ": no route");
        continue;
      }
      // A route declared after another whose path also matches is shadowed:
      // the document would list an operation the server never reaches.
      if (m.route->path != path || m.route->method != upper) {
        out.push_back(what + ": served by " + m.route->method + " " + m.route->path);
        continue;
      }
      std::vector<std::pair<std::string, std::string>> documented;
      for (const value& p : op.get<object>().at("parameters").get<array>()) {
        const object& o = p.get<object>();
        if (o.at("in") != value("path")) continue;
        if (o.at("required") != value(true)) out.push_back(what + ": optional path parameter");
        std::string name = o.at("name").get<std::string>();
        documented.push_back({name, std::string(m.params.Get(name))});
      }
      if (m.params.values != values || documented != values) {
        out.push_back(what + ": path parameters differ");
      }
    }
  }
  return out;
}

TEST_CASE("the router dispatches every documented operation to the route it documents") {
  RealApi api;
  size_t operations = 0;
  for (const std::string& why : Undispatched(api.router, api.doc, &operations)) {
    FAIL_CHECK(why);
  }
  size_t published = 0;
  for (const Route& r : api.router.routes()) published += r.doc.published ? 1 : 0;
  CHECK(operations == published);
}

TEST_CASE("an operation whose route is shadowed by an earlier one is reported as undispatched") {
  Router router;
  for (const char* path : {"/api/v1/things/{id}", "/api/v1/things/mine", "/api/v1/things"}) {
    Route r;
    r.method = "GET";
    r.path = path;
    r.handler = [](const Call&, httplib::Response&) { return Status::Ok(); };
    r.doc.tag = "things";
    r.doc.summary = path;
    router.Add(std::move(r));
  }
  value doc = ParseDoc(BuildOpenApi(router, ApiInfo{"T", "1", ""}));
  size_t operations = 0;
  CHECK(Undispatched(router, doc, &operations) ==
        std::vector<std::string>{"GET /api/v1/things/mine: served by GET /api/v1/things/{id}"});
  CHECK(operations == 3);
}

TEST_CASE("an operation's security is its route's: sign-in schemes, and API keys by scope") {
  RealApi api;
  const object& schemes =
      api.doc.get<object>().at("components").get<object>().at("securitySchemes").get<object>();
  CHECK(schemes.count("bearerAuth") == 1);
  CHECK(schemes.count("cookieAuth") == 1);
  CHECK(schemes.count("apiKeyAuth") == 1);
  for (const Route& r : api.router.routes()) {
    if (!r.doc.published) continue;  // the web pages: not operations
    CAPTURE(r.path);
    CAPTURE(r.method);
    const object& op = api.paths().at(r.path).get<object>().at(Lower(r.method)).get<object>();
    if (r.auth == Auth::kPublic) {
      CHECK(op.count("security") == 0);
      continue;
    }
    REQUIRE(op.count("security") == 1);
    std::set<std::string> names;
    std::vector<value> key_scopes;
    for (const value& requirement : op.at("security").get<array>()) {
      for (const auto& [name, scopes] : requirement.get<object>()) {
        CHECK(schemes.count(name) == 1);
        names.insert(name);
        if (name == "apiKeyAuth") key_scopes = scopes.get<array>();
      }
    }
    const bool keys = !r.scopes.empty() && r.auth != Auth::kAdmin;
    CHECK(names.count("bearerAuth") == 1);
    CHECK(names.count("cookieAuth") == 1);
    CHECK(names.count("apiKeyAuth") == (keys ? 1u : 0u));
    if (keys) CHECK(key_scopes.size() == r.scopes.size());
    const object& responses = op.at("responses").get<object>();
    CHECK(responses.count("401") == 1);
    CHECK(responses.count("403") == 1);
  }
}

TEST_CASE("every tag an operation uses is listed once, with a description") {
  RealApi api;
  std::set<std::string> used;
  for (const Route& r : api.router.routes()) {
    if (r.doc.published) used.insert(r.doc.tag);
  }
  std::set<std::string> listed;
  for (const value& t : api.doc.get<object>().at("tags").get<array>()) {
    const object& o = t.get<object>();
    const std::string& name = o.at("name").get<std::string>();
    CAPTURE(name);
    CHECK(listed.insert(name).second);
    // A new area adds its line to kTagDescriptions in src/http/openapi.cpp.
    REQUIRE(o.count("description") == 1);
    CHECK_FALSE(o.at("description").get<std::string>().empty());
  }
  CHECK(listed == used);
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

  // The body's schema requires no field, so the body may be left out.
  const object& body = op.at("requestBody").get<object>();
  CHECK(body.at("required") == value(false));
  std::set<std::string> statuses;
  for (const auto& [status, resp] : op.at("responses").get<object>()) statuses.insert(status);
  CHECK(statuses == std::set<std::string>{"204", "400", "404", "413", "415", "422", "429", "500"});
  CHECK(op.at("responses").get<object>().at("204").get<object>().count("content") == 0);
  CHECK(doc.get<object>().at("tags").get<array>().size() == 1);
}

TEST_CASE(
    "a paged list, an idempotent payment and an unlimited probe are described as they answer") {
  Router router;
  auto add = [&router](const char* method, const char* path, auto&& declare) {
    Route r;
    r.method = method;
    r.path = path;
    r.handler = [](const Call&, httplib::Response&) { return Status::Ok(); };
    r.doc.tag = "t";
    r.doc.summary = path;
    declare(r);
    router.Add(std::move(r));
  };
  add("GET", "/things", [](Route& r) {
    r.auth = Auth::kUser;
    r.doc.query = ListQueryParams({});
    r.doc.data_schema = R"({"type": "array"})";
  });
  add("POST", "/things", [](Route& r) {
    r.auth = Auth::kUser;
    r.rate_class = RateClass::kPayments;
    r.doc.request_schema = R"({"type": "object", "required": ["amount"]})";
    r.doc.data_schema = R"({"type": "object"})";
    r.doc.idempotent = true;
  });
  add("GET", "/probe", [](Route& r) {
    r.rate_class = RateClass::kNever;
    r.doc.data_schema = R"({"type": "object"})";
  });
  value doc = ParseDoc(BuildOpenApi(router, ApiInfo{"T", "1", ""}));
  auto op = [&doc](const char* path, const char* method) -> const object& {
    return doc.get<object>()
        .at("paths")
        .get<object>()
        .at(path)
        .get<object>()
        .at(method)
        .get<object>();
  };
  auto ok = [](const object& o, const char* status) -> const object& {
    return o.at("responses").get<object>().at(status).get<object>();
  };
  auto envelope_required = [&ok](const object& o) {
    return ok(o, "200")
        .at("content")
        .get<object>()
        .at("application/json")
        .get<object>()
        .at("schema")
        .get<object>()
        .at("required")
        .get<array>();
  };

  const object& list = op("/things", "get");
  CHECK(envelope_required(list) == array{value("success"), value("data"), value("pagination")});
  CHECK(list.at("responses").get<object>().count("429") == 1);
  CHECK(ok(list, "200").at("headers").get<object>().count("X-RateLimit-Remaining") == 1);

  const object& pay = op("/things", "post");
  CHECK(pay.at("requestBody").get<object>().at("required") == value(true));
  bool key = false;
  for (const value& p : pay.at("parameters").get<array>()) {
    if (p.get<object>().at("name") == value("Idempotency-Key")) key = true;
  }
  CHECK(key);
  CHECK(ok(pay, "200").at("headers").get<object>().count("Idempotent-Replayed") == 1);

  const object& probe = op("/probe", "get");
  CHECK(envelope_required(probe) == array{value("success"), value("data")});
  CHECK(probe.at("responses").get<object>().count("429") == 0);
  CHECK(ok(probe, "200").at("headers").get<object>().count("X-RateLimit-Remaining") == 0);
  CHECK(probe.count("security") == 0);
}

}  // namespace
}  // namespace cairn::http
