#include "http/pipeline.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <string>

#include "auth/access.h"
#include "http/cookies.h"
#include "http/csrf.h"
#include "http/envelope.h"
#include "util/ids.h"
#include "util/json.h"
#include "util/log.h"

namespace cairn::http {

namespace {

using Clock = std::chrono::steady_clock;
using httplib::Server;

// Per-request state. httplib serves a request on one thread from its first
// hook to its log line, so a thread_local is exactly one request's worth.
struct RequestState {
  bool active = false;
  Clock::time_point start;
  const Route* route = nullptr;
};
thread_local RequestState t_state;

// Starts the request's state and its id headers, once per request. Called by
// every hook that can be first: pre-routing normally, the error hooks when
// httplib refused the request before routing.
RequestState& EnsureBegun(const httplib::Request& req, httplib::Response& res) {
  RequestState& st = t_state;
  if (st.active) return st;
  st.active = true;
  st.start = Clock::now();
  st.route = nullptr;
  std::string request_id = NewId("req");
  const std::string& incoming = req.get_header_value("X-Correlation-ID");
  res.set_header("X-Correlation-ID", IsValidCorrelationId(incoming) ? incoming : request_id);
  res.set_header("X-Request-ID", std::move(request_id));
  return st;
}

int64_t ElapsedMicros(const RequestState& st) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - st.start).count();
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

bool IsApiPath(std::string_view path) {
  return StartsWith(path, "/api/") || path == "/api" || path == "/health";
}

bool IsKnownMethod(std::string_view m) {
  return m == "GET" || m == "HEAD" || m == "POST" || m == "PUT" || m == "PATCH" || m == "DELETE" ||
         m == "OPTIONS";
}

size_t HeaderBytes(const httplib::Request& req) {
  size_t n = 0;
  for (const auto& [k, v] : req.headers) n += k.size() + v.size() + 4;
  return n;
}

// httplib reads a body as chunked only when the coding is exactly that.
bool IsChunkedOnly(const std::string& coding) {
  static constexpr std::string_view kChunked = "chunked";
  if (coding.size() != kChunked.size()) return false;
  for (size_t i = 0; i < coding.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(coding[i])) != kChunked[i]) return false;
  }
  return true;
}

bool HasBody(const httplib::Request& req) {
  if (req.get_header_value_u64("Content-Length") > 0) return true;
  const std::string& te = req.get_header_value("Transfer-Encoding");
  return !te.empty();
}

void RefuseRouteless(const httplib::Request& req, httplib::Response& res,
                     const std::string& allow) {
  if (allow.empty()) {
    WriteError(res, 404, "not_found", "No route for " + req.path);
    return;
  }
  res.set_header("Allow", allow);
  WriteError(res, 405, "method_not_allowed", req.method + " is not allowed on " + req.path);
}

auth::Role MinimumRole(Auth auth) {
  switch (auth) {
    case Auth::kMerchant:
      return auth::Role::kMerchant;
    case Auth::kAdmin:
      return auth::Role::kAdmin;
    default:
      return auth::Role::kUser;
  }
}

}  // namespace

bool IsJsonContentType(std::string_view ct) {
  size_t semi = ct.find(';');
  std::string_view type = ct.substr(0, semi);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  std::string lower(type);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "application/json") return true;
  // Structured-syntax suffix (RFC 6839), e.g. application/merge-patch+json.
  return StartsWith(lower, "application/") && lower.size() > 17 &&
         lower.compare(lower.size() - 5, 5, "+json") == 0;
}

bool IsValidCorrelationId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Pipeline::Pipeline(const Router& router, CorsPolicy cors, size_t max_body_bytes,
                   const cairn::Clock& clock, Credentials credentials, RateLimiting rate)
    : router_(router),
      cors_(std::move(cors)),
      max_body_bytes_(max_body_bytes),
      clock_(clock),
      credentials_(std::move(credentials)),
      rate_(std::move(rate)),
      metrics_(router) {}

void Pipeline::Install(httplib::Server& server) {
  server.set_pre_routing_handler(
      [this](const httplib::Request& q, httplib::Response& r) { return PreRouting(q, r); });
  auto dispatch = [this](const httplib::Request& q, httplib::Response& r) { Dispatch(q, r); };
  // Only requests that carry a body get this far (see PreRouting).
  server.Post(".*", dispatch);
  server.Put(".*", dispatch);
  server.Patch(".*", dispatch);
  server.Delete(".*", dispatch);
  server.Get(".*", dispatch);
  server.Options(".*", dispatch);
  server.set_post_routing_handler(
      [this](const httplib::Request& q, httplib::Response& r) { PostRouting(q, r); });
  server.set_error_handler(
      [this](const httplib::Request& q, httplib::Response& r) { return OnError(q, r); });
  server.set_exception_handler([this](const httplib::Request& q, httplib::Response& r,
                                      std::exception_ptr ep) { OnException(q, r, ep); });
  server.set_logger([this](const httplib::Request& q, const httplib::Response& r) { Log(q, r); });
  server.set_payload_max_length(max_body_bytes_);
}

Server::HandlerResponse Pipeline::PreRouting(const httplib::Request& req, httplib::Response& res) {
  EnsureBegun(req, res);

  if (HeaderBytes(req) > kMaxHeaderBytes) {
    WriteError(res, 431, "bad_request", "Request headers too large");
    return Server::HandlerResponse::Handled;
  }
  if (!IsKnownMethod(req.method)) {
    RefuseRouteless(req, res, router_.AllowFor(req.path));
    return Server::HandlerResponse::Handled;
  }
  if (ApplyCors(req, res)) return Server::HandlerResponse::Handled;
  if (!CheckBodyHeaders(req, res)) return Server::HandlerResponse::Handled;
  if (HasBody(req)) return Server::HandlerResponse::Unhandled;  // httplib reads it, then Dispatch

  RunRoute(req, res);
  return Server::HandlerResponse::Handled;
}

// Answers preflights. Returns true when the request has been answered.
bool Pipeline::ApplyCors(const httplib::Request& req, httplib::Response& res) {
  if (req.method != "OPTIONS") return false;
  const std::string& origin = req.get_header_value("Origin");
  CorsPolicy::Decision d =
      cors_.Decide(req.method, origin, req.get_header_value("Access-Control-Request-Method"));
  if (d.preflight) {
    // A foreign origin gets a bare 204: no CORS headers, so the browser
    // refuses the real request, and nothing about the API is revealed.
    if (d.allow_origin) {
      res.set_header("Access-Control-Allow-Methods", CorsPolicy::kAllowMethods);
      res.set_header("Access-Control-Allow-Headers", CorsPolicy::kAllowHeaders);
      res.set_header("Access-Control-Max-Age", CorsPolicy::kMaxAge);
    }
    res.status = 204;
    return true;
  }
  // A plain OPTIONS asks which methods a path accepts.
  std::string allow = router_.AllowFor(req.path);
  if (allow.empty()) {
    WriteError(res, 404, "not_found", "No route for " + req.path);
  } else {
    res.set_header("Allow", allow);
    res.status = 204;
  }
  return true;
}

// 415 and 413 from the headers alone, before a byte of the body is read:
// httplib would otherwise parse a multipart body itself, or read a body the
// API will refuse. The unread body would then be taken for the next request,
// so these answers close the connection.
bool Pipeline::CheckBodyHeaders(const httplib::Request& req, httplib::Response& res) {
  if (!HasBody(req)) return true;
  // Framing the body two ways is how requests are smuggled past a proxy
  // (RFC 9112 §6.1); a coding other than chunked cannot be framed at all.
  if (req.has_header("Transfer-Encoding")) {
    const char* why = nullptr;
    if (req.has_header("Content-Length")) {
      why = "Request has both Transfer-Encoding and Content-Length";
    } else if (!IsChunkedOnly(req.get_header_value("Transfer-Encoding"))) {
      why = "Transfer-Encoding other than chunked is not supported";
    }
    if (why != nullptr) {
      WriteError(res, 400, "bad_request", why);
      res.set_header("Connection", "close");
      return false;
    }
  }
  if (!IsJsonContentType(req.get_header_value("Content-Type"))) {
    WriteError(res, 415, "unsupported_media_type", "Content-Type must be application/json");
    res.set_header("Connection", "close");
    return false;
  }
  if (req.get_header_value_u64("Content-Length") > max_body_bytes_) {
    WriteError(res, 413, "payload_too_large",
               "Request body exceeds " + std::to_string(max_body_bytes_) + " bytes");
    res.set_header("Connection", "close");
    return false;
  }
  return true;
}

void Pipeline::Dispatch(const httplib::Request& req, httplib::Response& res) {
  EnsureBegun(req, res);
  RunRoute(req, res);
}

void Pipeline::RunRoute(const httplib::Request& req, httplib::Response& res) {
  // Rate limiting comes as early as it can know the caller: a request the
  // API refuses (no such route, bad credentials, wrong role, bad JSON) still
  // counts, or refused requests would be a free way to probe.
  Router::Match m = router_.Find(req.method, req.path);
  if (m.route == nullptr) {
    if (IsApiPath(req.path) && req.path != "/health" &&
        !Admit(req, res, RateClass::kStandard, nullptr)) {
      return;
    }
    RefuseRouteless(req, res, m.allow);
    return;
  }
  const Route& route = *m.route;
  t_state.route = &route;

  if (route.sunset) {
    std::string sunset = FormatHttpDate(*route.sunset);
    if (clock_.Now() >= *route.sunset) {
      WriteError(res, 410, "gone",
                 "This endpoint was retired on " + sunset + "; use " + route.successor);
      return;
    }
    res.set_header("Deprecation", "true");
    res.set_header("X-API-Deprecated", "true");
    res.set_header("Sunset", sunset);
    if (!route.successor.empty()) {
      res.set_header("Link", "<" + route.successor + ">; rel=\"successor-version\"");
    }
  }

  bool trusted_origin = !IsUnsafeMethod(req.method) || FromTrustedOrigin(req, cors_);
  Result<auth::Principal> principal = Status::Unauthenticated("Authentication required");
  if (route.auth != Auth::kPublic) {
    principal = Authenticate(req);
    if (!principal.ok()) {
      // Failed credentials count as an anonymous request: guessing tokens
      // is limited like any other anonymous traffic.
      if (!Admit(req, res, route.rate_class, nullptr)) return;
      res.set_header("WWW-Authenticate", "Bearer realm=\"cairn\"");
      WriteError(res, principal.status());
      return;
    }
  }
  const auth::Principal* who = principal.ok() ? &principal.value() : nullptr;
  if (!Admit(req, res, route.rate_class, who)) return;
  if (who != nullptr) {
    if (who->credential == auth::Credential::kCookie && !trusted_origin) {
      WriteError(res, Status::PermissionDenied("Cross-site request refused; send Origin")
                          .WithReason("csrf_failed"));
      return;
    }
    Status access = auth::CheckAccess(*who, MinimumRole(route.auth), route.scopes);
    if (!access.ok()) {
      WriteError(res, access);
      return;
    }
  }

  Result<picojson::object> body = picojson::object();
  if (!req.body.empty()) {
    body = json::ParseObject(req.body);
    if (!body.ok()) {
      WriteError(res, body.status());
      return;
    }
  }
  Call call{req, m.params, body.value(), who, trusted_origin, rate_.proxies.ClientIp(req)};
  Status st = route.handler(call, res);
  if (st.ok()) return;
  if (KindOf(st).http_status == 503) {
    // Overloaded (the password hasher's queue is full, or the database is
    // busy): free this worker and its keep-alive connection for others.
    res.set_header("Connection", "close");
    if (!res.has_header("Retry-After")) res.set_header("Retry-After", "1");
  }
  if (KindOf(st).http_status == 500) {
    // The client sees a fixed message; the cause is kept here, by request id.
    log::Error("internal_error")
        .Str("requestId", res.get_header_value("X-Request-ID"))
        .Str("route", route.path)
        .Str("cause", st.message())
        .Emit();
  }
  WriteError(res, st);
}

// One credential per request, in this order: "Authorization: Bearer <token>"
// (scheme case-insensitive, RFC 9110), X-API-Key, the access cookie. A
// request that sends a header is judged by it alone, never by a cookie the
// browser happened to add.
Result<auth::Principal> Pipeline::Authenticate(const httplib::Request& req) const {
  Status missing = Status::Unauthenticated("Authentication required");
  if (req.has_header("Authorization")) {
    const std::string& header = req.get_header_value("Authorization");
    if (header.size() < 7 ||
        !std::equal(header.begin(), header.begin() + 7, "bearer ", [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == b;
        })) {
      return missing;
    }
    std::string_view token = std::string_view(header).substr(7);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    if (token.empty() || !credentials_.access_token) return missing;
    return credentials_.access_token(token);
  }
  if (req.has_header("X-API-Key")) {
    if (!credentials_.api_key) return missing;
    return credentials_.api_key(req.get_header_value("X-API-Key"));
  }
  std::string cookie = CookieValue(req, credentials_.access_cookie);
  if (cookie.empty() || !credentials_.access_token) return missing;
  Result<auth::Principal> p = credentials_.access_token(cookie);
  if (p.ok()) p->credential = auth::Credential::kCookie;
  return p;
}

bool Pipeline::Admit(const httplib::Request& req, httplib::Response& res, RateClass rate_class,
                     const auth::Principal* who) {
  if (rate_.limiter == nullptr || rate_class == RateClass::kNever) return true;
  const ratelimit::RuleTable& rules = rate_.rules;
  std::string keys[2];
  ratelimit::Bucket buckets[2];
  const char* names[2] = {"", ""};
  size_t n = 0;
  auto add = [&](const char* name, std::string key, const ratelimit::Rules& r) {
    if (r.empty()) return;  // unlimited
    names[n] = name;
    keys[n] = std::move(key);
    buckets[n] = {keys[n], &r};
    ++n;
  };
  auto ip = [&] { return IpKey(rate_.proxies.ClientIp(req)); };
  switch (rate_class) {
    case RateClass::kAuth:
      add("auth", "auth:" + ip(), rules.auth);
      break;
    case RateClass::kRates:
      add("rates", "rates:" + ip(), rules.rates);
      break;
    default:
      if (who == nullptr) {
        add("anonymous", "anon:" + ip(), rules.anonymous);
      } else if (who->role == "admin") {
        return true;  // admins are not limited
      } else {
        bool merchant = who->role == "merchant";
        add(merchant ? "merchant" : "user", "user:" + who->user_id,
            merchant ? rules.merchant : rules.user);
        if (rate_class == RateClass::kPayments) {
          add("payments", "pay:" + who->user_id, rules.payments);
        }
      }
  }
  if (n == 0) return true;

  ratelimit::Decision d = rate_.limiter->Check(buckets, n);
  int64_t now = UnixSeconds(clock_.Now());
  std::string name = names[d.bucket];
  res.set_header("X-RateLimit-Limit", std::to_string(d.limit));
  res.set_header("X-RateLimit-Remaining", std::to_string(d.remaining));
  res.set_header("X-RateLimit-Reset", std::to_string(now + d.reset_s));
  // draft-ietf-httpapi-ratelimit-headers: the policy, and where it stands.
  res.set_header("RateLimit-Policy", "\"" + name + "\";q=" + std::to_string(d.limit) +
                                         ";w=" + std::to_string(d.window_s));
  res.set_header("RateLimit", "\"" + name + "\";r=" + std::to_string(d.remaining) +
                                  ";t=" + std::to_string(d.reset_s));
  if (d.allowed) return true;
  metrics_.RateLimited(name);
  if (d.first_refusal) {
    // Once per episode, not per refused request: a flood must not flood
    // the log too.
    log::Warn("rate_limited")
        .Str("policy", name)
        .Str("key", std::string(buckets[d.bucket].key))
        .Int("retryAfter", d.retry_after_s)
        .Emit();
  }
  WriteError(res, Status::ResourceExhausted("Too many requests; retry in " +
                                            std::to_string(d.retry_after_s) + " s")
                      .WithRetryAfter(static_cast<int>(d.retry_after_s)));
  return false;
}

void Pipeline::PostRouting(const httplib::Request& req, httplib::Response& res) {
  RequestState& st = EnsureBegun(req, res);
  res.set_header("X-Response-Time", FormatMillis(ElapsedMicros(st)) + "ms");

  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Referrer-Policy", "no-referrer");
  // HTML may load its own scripts and styles, nothing else; anything else
  // needs no active content at all.
  const std::string& ct = res.get_header_value("Content-Type");
  res.set_header("Content-Security-Policy",
                 StartsWith(ct, "text/html")
                     ? "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' "
                       "data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
                       "frame-ancestors 'none'"
                     : "default-src 'none'; frame-ancestors 'none'");
  if (IsApiPath(req.path)) res.set_header("Cache-Control", "no-store");

  res.set_header("Vary", "Origin");
  const std::string& origin = req.get_header_value("Origin");
  if (cors_.Allows(origin)) {
    res.set_header("Access-Control-Allow-Origin", origin);
    res.set_header("Access-Control-Allow-Credentials", "true");
    res.set_header("Access-Control-Expose-Headers", CorsPolicy::kExposeHeaders);
  }
}

Server::HandlerResponse Pipeline::OnError(const httplib::Request& req, httplib::Response& res) {
  EnsureBegun(req, res);
  if (!res.body.empty()) return Server::HandlerResponse::Unhandled;  // ours already
  WriteErrorForStatus(res);
  return Server::HandlerResponse::Handled;
}

std::string Pipeline::Refusal(int status) {
  httplib::Request req;  // nothing of it is known
  httplib::Response res;
  res.status = status;
  EnsureBegun(req, res);
  WriteErrorForStatus(res);
  if (status == 503) res.set_header("Retry-After", "1");
  PostRouting(req, res);
  t_state = RequestState{};
  std::string out =
      "HTTP/1.1 " + std::to_string(status) + " " + httplib::status_message(status) + "\r\n";
  for (const auto& [name, value] : res.headers) out += name + ": " + value + "\r\n";
  out += "Content-Length: " + std::to_string(res.body.size()) + "\r\nConnection: close\r\n\r\n";
  return out + res.body;
}

void Pipeline::OnException(const httplib::Request& req, httplib::Response& res,
                           std::exception_ptr ep) {
  EnsureBegun(req, res);
  std::string cause = "unknown exception";
  try {
    std::rethrow_exception(ep);
  } catch (const std::exception& e) {
    cause = e.what();
  } catch (...) {
  }
  // The cause goes to the log with the request id; the client gets neither
  // message nor stack, only the id to quote.
  log::Error("unhandled_exception")
      .Str("requestId", res.get_header_value("X-Request-ID"))
      .Str("method", req.method)
      .Str("path", req.path)
      .Str("cause", cause)
      .Emit();
  res.body.clear();
  WriteError(res, 500, "internal_error", "Internal server error");
}

void Pipeline::Log(const httplib::Request& req, const httplib::Response& res) {
  RequestState& st = t_state;
  int64_t micros = st.active ? ElapsedMicros(st) : 0;
  log::Level level = res.status >= 500 ? log::Level::kError : log::Level::kInfo;
  log::Line line(level, "request");
  line.Str("method", req.method)
      .Str("path", req.path)
      .Int("status", res.status)
      .Millis("durationMs", micros)
      .Str("requestId", res.get_header_value("X-Request-ID"))
      // The client as the rate limits see it: behind a trusted proxy, the
      // peer is the proxy and says nothing about who made the request.
      .Str("ip", rate_.proxies.ClientIp(req));
  if (st.route != nullptr) line.Str("route", st.route->path);
  line.Emit();
  metrics_.Observe(st.route, res.status, micros);
  st = RequestState{};
}

}  // namespace cairn::http
