#pragma once

// The route table. Each route is declared once, with everything the server
// and the OpenAPI document need to know about it: method, path, handler,
// who may call it, its rate-limit class and its description. The dispatcher
// and the document are both built from this table, so they cannot disagree.
//
// Paths are literal segments and {name} parameters, e.g.
// "/api/v1/users/{id}". A HEAD request is served by the GET route. The first
// declared route that matches wins, so a literal path (/users/me) is declared
// before a parameter one (/users/{id}).

#include <picojson.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/sessions.h"
#include "http/httplib_config.h"
#include "util/clock.h"
#include "util/status.h"

namespace cairn::http {

// Who may call a route: anyone, or a signed-in caller with at least this
// role (admin > merchant > user). Signed in means a bearer access token, the
// access cookie, or an API key holding one of the route's scopes.
enum class Auth { kPublic, kUser, kMerchant, kAdmin };

// Which rate-limit rules a route counts against (API.md §8):
//   kStandard  anonymous callers per IP; signed-in callers per user by role
//              (admins unlimited)
//   kAuth      register, login, refresh, forgot/reset password, per IP
//   kPayments  money-moving POSTs: the role's rule and the payments rule
//   kRates     exchange rates, per IP
//   kNever     exempt (health probes)
enum class RateClass { kNever, kStandard, kAuth, kPayments, kRates };

struct PathParams {
  std::vector<std::pair<std::string, std::string>> values;
  // The value of {name}, or empty.
  std::string_view Get(std::string_view name) const;
};

// What a handler receives.
struct Call {
  const httplib::Request& req;
  const PathParams& params;
  const picojson::object& body;  // empty when the request had no body
  // The authenticated caller; set for every route whose auth is not kPublic.
  const auth::Principal* principal = nullptr;
  // For a state-changing method: whether Origin/Referer names this server or
  // an allowed origin (the CSRF check). Always true for safe methods.
  bool trusted_origin = true;
  // The client's address: the socket's peer, or with TRUST_PROXY the address
  // the trusted proxy saw (http/client_ip.h). For sessions, audit, consents.
  std::string client_ip;
};

// A handler writes the success envelope and returns OK, or returns the error
// for the dispatcher to write. It never writes an error itself.
using Handler = std::function<Status(const Call&, httplib::Response&)>;

struct QueryParam {
  std::string name;
  std::string schema;  // JSON Schema text, e.g. {"type":"integer"}
  std::string description;
  bool required = false;
};

// The OpenAPI description of a route.
struct RouteDoc {
  std::string tag;
  std::string summary;
  std::string description;
  std::vector<QueryParam> query;
  std::string request_schema;  // JSON Schema of the body; empty: no body
  int success_status = 200;
  std::string success_description = "OK";
  // JSON Schema of "data" in the success envelope; empty: a message-only
  // envelope, or no body when success_status is 204.
  std::string data_schema;
  // False for routes whose body is not the envelope (the OpenAPI document
  // itself, the event stream); data_schema then describes the whole body.
  bool enveloped = true;
  std::string content_type = "application/json";  // of the success body
  // False for the web pages (/, /docs, /assets/{file}): not API operations,
  // so neither the OpenAPI document nor discovery lists them.
  bool published = true;
  // Errors this route returns besides those every route can (500; 429 when
  // rate-limited; 401/403 when signed in; 400/413/415 when it takes a body).
  std::vector<int> errors;
  // Takes an Idempotency-Key header (http/idempotency.h).
  bool idempotent = false;
};

struct Route {
  std::string method;  // GET, POST, PUT, PATCH, DELETE
  std::string path;
  Handler handler;
  Auth auth = Auth::kPublic;
  // API-key scopes that open this route (any one suffices); none: API keys
  // may not call it.
  std::vector<std::string> scopes;
  RateClass rate_class = RateClass::kStandard;
  RouteDoc doc;
  // A deprecated route answers with Deprecation, X-API-Deprecated and
  // Sunset headers until its sunset, and 410 after it.
  std::optional<TimePoint> sunset;
  std::string successor;  // path of the replacement, for the Link header
};

// A handler from a function of an area's dependencies, so an area declares
// `Status Fn(Deps&, const Call&, httplib::Response&)` functions and binds
// them once: MakeRoute("GET", path, Bind(deps, Fn), ...).
template <typename Deps>
Handler Bind(Deps* deps, Status (*fn)(Deps&, const Call&, httplib::Response&)) {
  return [deps, fn](const Call& call, httplib::Response& res) { return fn(*deps, call, res); };
}

// The start of every route declaration: what it is, what serves it, and how
// the document names it. The caller sets auth, body, shapes and errors.
Route MakeRoute(std::string method, std::string path, Handler handler, std::string tag,
                std::string summary);

class Router {
 public:
  // Adds a route. Adding the same method and path twice is a programming
  // error and aborts at startup.
  void Add(Route route);

  struct Match {
    const Route* route = nullptr;  // null: no route for this method
    PathParams params;
    // When route is null: the methods the path does accept ("GET, HEAD"),
    // empty if no route has this path at all.
    std::string allow;
  };
  Match Find(std::string_view method, std::string_view path) const;

  // The methods a path accepts, as an Allow header value ("" if none).
  std::string AllowFor(std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  struct Entry {
    std::vector<std::string> segments;  // "{x}" marks a parameter
  };
  static bool MatchPath(const Entry& e, std::string_view path, PathParams* params);

  std::vector<Route> routes_;
  std::vector<Entry> entries_;  // parallel to routes_
};

// Splits a path into its segments ("/a/b/" -> a, b).
std::vector<std::string_view> SplitPath(std::string_view path);

}  // namespace cairn::http
