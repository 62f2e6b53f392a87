// Fuzz target: http::Router::Find and AllowFor. The input's first line is
// the request, "METHOD /path"; each further line (up to 8) declares one more
// route, "METHOD /pattern", ahead of a copy of Cairn's route table, so
// patterns themselves are fuzzed too.
//
// Beyond not crashing, for every request it checks:
//  - a matched route has the request's method (HEAD served by GET), one
//    parameter per {name} segment, and each parameter's value is a
//    non-empty, '/'-free substring of the path, the values in path order;
//    putting the values back into the pattern gives the path's segments;
//  - the same path with its slashes normalised matches the same route with
//    the same parameters;
//  - Allow: a matched method is listed; without a match, Allow is
//    AllowFor(path), never lists the request's method, and every method it
//    lists does match.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "http/router.h"

namespace cairn::http {
namespace {

constexpr const char* kMethods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};

// Cairn's routes as the areas declare them (src/http/handlers_*.cpp),
// literal paths before the parameter paths they would otherwise shadow.
constexpr std::pair<const char*, const char*> kTable[] = {
    {"GET", "/"},
    {"GET", "/assets/{file}"},
    {"GET", "/health"},
    {"GET", "/api/v1"},
    {"GET", "/api/v1/health"},
    {"GET", "/api/v1/openapi.json"},
    {"POST", "/api/v1/auth/register"},
    {"POST", "/api/v1/auth/login"},
    {"POST", "/api/v1/auth/refresh"},
    {"POST", "/api/v1/auth/logout"},
    {"GET", "/api/v1/auth/me"},
    {"PUT", "/api/v1/auth/password"},
    {"GET", "/api/v1/auth/sessions"},
    {"DELETE", "/api/v1/auth/sessions/{id}"},
    {"GET", "/api/v1/users"},
    {"POST", "/api/v1/users"},
    {"GET", "/api/v1/users/me"},
    {"PATCH", "/api/v1/users/me"},
    {"GET", "/api/v1/users/{id}"},
    {"PATCH", "/api/v1/users/{id}"},
    {"DELETE", "/api/v1/users/{id}"},
    {"GET", "/api/v1/rates"},
    {"GET", "/api/v1/rates/{currency}"},
    {"GET", "/api/v1/bank-accounts"},
    {"POST", "/api/v1/bank-accounts"},
    {"POST", "/api/v1/bank-accounts/{id}/primary"},
    {"POST", "/api/v1/bank-accounts/{id}/refresh"},
    {"GET", "/api/v1/transactions/{id}"},
    {"GET", "/api/v1/webhooks"},
    {"POST", "/api/v1/webhooks"},
    {"GET", "/api/v1/webhooks/{id}"},
    {"DELETE", "/api/v1/webhooks/{id}"},
    {"GET", "/api/v1/webhooks/{id}/deliveries"},
    {"POST", "/api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver"},
};

Route R(std::string method, std::string path) {
  Route r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.handler = [](const Call&, httplib::Response&) { return Status::Ok(); };
  return r;
}

bool Declared(const Router& router, std::string_view method, std::string_view path) {
  for (const Route& r : router.routes()) {
    if (r.method == method && r.path == path) return true;
  }
  return false;
}

bool IsParam(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

std::string Join(const std::vector<std::string_view>& segments) {
  std::string out;
  for (std::string_view s : segments) out.append("/").append(s);
  return out.empty() ? "/" : out;
}

// The methods an Allow value lists.
std::vector<std::string> Listed(std::string_view allow) {
  std::vector<std::string> out;
  while (!allow.empty()) {
    size_t comma = allow.find(", ");
    out.emplace_back(allow.substr(0, comma));
    allow = comma == std::string_view::npos ? std::string_view() : allow.substr(comma + 2);
  }
  return out;
}

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  for (const std::string& e : v) {
    if (e == s) return true;
  }
  return false;
}

void CheckMatch(const Router& router, std::string_view method, std::string_view path,
                const Router::Match& m) {
  std::string_view want = method == "HEAD" ? std::string_view("GET") : method;
  FUZZ_CHECK(m.route->method == want);
  FUZZ_CHECK(m.allow.empty());

  std::vector<std::string_view> pattern = SplitPath(m.route->path);
  std::vector<std::string_view> segments = SplitPath(path);
  FUZZ_CHECK(pattern.size() == segments.size());
  size_t params = 0;
  size_t from = 0;
  std::vector<std::string_view> filled;
  for (std::string_view p : pattern) {
    if (!IsParam(p)) {
      filled.push_back(p);
      continue;
    }
    FUZZ_CHECK(params < m.params.values.size());
    const auto& [name, value] = m.params.values[params++];
    FUZZ_CHECK(name == p.substr(1, p.size() - 2));
    FUZZ_CHECK(!value.empty() && value.find('/') == std::string::npos);
    size_t at = path.find(value, from);
    FUZZ_CHECK(at != std::string_view::npos);
    from = at + value.size();
    filled.push_back(value);
  }
  FUZZ_CHECK(params == m.params.values.size());
  FUZZ_CHECK(Join(filled) == Join(segments));

  Router::Match again = router.Find(method, Join(segments));
  FUZZ_CHECK(again.route == m.route);
  FUZZ_CHECK(again.params.values == m.params.values);

  std::vector<std::string> allow = Listed(router.AllowFor(path));
  FUZZ_CHECK(Contains(allow, want));
  if (want == "GET") FUZZ_CHECK(Contains(allow, "HEAD"));
}

void CheckNoMatch(const Router& router, std::string_view method, std::string_view path,
                  const Router::Match& m) {
  FUZZ_CHECK(m.allow == router.AllowFor(path));
  if (m.allow.empty()) return;
  std::vector<std::string> allow = Listed(m.allow);
  FUZZ_CHECK(allow.back() == "OPTIONS");
  if (method != "OPTIONS") FUZZ_CHECK(!Contains(allow, method));
  for (const std::string& listed : allow) {
    if (listed == "OPTIONS") continue;
    FUZZ_CHECK(router.Find(listed, path).route != nullptr);
  }
}

}  // namespace
}  // namespace cairn::http

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cairn;
  using namespace cairn::http;
  std::string_view rest = fuzz::AsText(data, size);
  std::string_view request = fuzz::NextLine(&rest);
  size_t space = request.find(' ');
  if (space == std::string_view::npos) return 0;
  std::string_view method = request.substr(0, space);
  std::string_view path = request.substr(space + 1);

  // Most inputs declare no route of their own: they share one table.
  static const Router kBase = [] {
    Router r;
    for (const auto& [m, p] : kTable) r.Add(R(m, p));
    return r;
  }();
  Router own;
  for (int extra = 0; extra < 8 && !rest.empty(); ++extra) {
    std::string_view line = fuzz::NextLine(&rest);
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos) continue;
    std::string_view m = line.substr(0, sp);
    bool known = false;
    for (const char* k : kMethods) known |= m == k;
    if (!known || Declared(own, m, line.substr(sp + 1))) continue;
    own.Add(R(std::string(m), std::string(line.substr(sp + 1))));
  }
  if (!own.routes().empty()) {
    for (const auto& [m, p] : kTable) {
      if (!Declared(own, m, p)) own.Add(R(m, p));
    }
  }
  const Router& router = own.routes().empty() ? kBase : own;

  Router::Match match = router.Find(method, path);
  if (match.route != nullptr) {
    CheckMatch(router, method, path, match);
  } else {
    CheckNoMatch(router, method, path, match);
  }
  return 0;
}
