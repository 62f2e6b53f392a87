#pragma once

// The middleware chain, in one place and in this order:
//
//   1. request id and correlation id      (every response)
//   2. timing: X-Response-Time            (every response)
//   3. security headers                   (every response)
//   4. CORS, answering preflights
//   5. body rules: 415 and 413 from the headers
//   6. routing: 404, 405 with Allow, deprecation headers
//   7. authentication, for routes that require it: 401 otherwise
//   8. rate limiting by the route's class: per IP, or per user once
//      authenticated (429 with Retry-After; X-RateLimit-* headers). Refused
//      requests before and after this step count too: unknown /api routes
//      and failed credentials as anonymous, and everything below
//   9. the CSRF check for cookie-authenticated unsafe methods (403
//      csrf_failed) and the route's role and API-key scopes (403)
//  10. the body, once httplib has read it: 400 for malformed JSON or
//      nesting deeper than 32
//  11. the handler, whose Status the envelope turns into the error body
//
// Steps 1-4 and the header half of 5 run in httplib's pre-routing hook, before the
// body is read. A request without a body is dispatched right there; one with
// a body is dispatched by the catch-all handlers after httplib has read it
// within MAX_BODY_BYTES. Errors raised by httplib itself (400 bad request line, 414,
// 413 on a chunked body) get their envelope from OnError and their headers
// from PostRouting, so every response carries the same headers.
//
// Thread-safety: a Pipeline is shared by all workers and immutable after
// construction; per-request state lives in a thread_local, since httplib
// serves a request start to finish on one thread.

#include <cstddef>
#include <exception>
#include <functional>
#include <string_view>

#include "http/client_ip.h"
#include "http/cors.h"
#include "http/httplib_config.h"
#include "http/request_metrics.h"
#include "http/router.h"
#include "ratelimit/limiter.h"
#include "ratelimit/rules.h"
#include "util/clock.h"

namespace cairn::http {

// The most header bytes a request may send, all lines together.
inline constexpr size_t kMaxHeaderBytes = 16 * 1024;

// How credentials become the caller. An empty check refuses that kind.
struct Credentials {
  using Check = std::function<Result<auth::Principal>(std::string_view credential)>;
  Check access_token;  // a JWT, from the Authorization header or the cookie
  Check api_key;       // an X-API-Key value
  std::string access_cookie = "access_token";
};

// Rate limiting; off when limiter is null.
struct RateLimiting {
  ratelimit::Limiter* limiter = nullptr;
  ratelimit::RuleTable rules;
  ProxyTrust proxies;
};

class Pipeline {
 public:
  Pipeline(const Router& router, CorsPolicy cors, size_t max_body_bytes, const Clock& clock,
           Credentials credentials = {}, RateLimiting rate = {});
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Installs the hooks and catch-all handlers on server.
  void Install(httplib::Server& server);

  // What was counted of the requests so far (GET /metrics).
  const RequestMetrics& metrics() const { return metrics_; }

  httplib::Server::HandlerResponse PreRouting(const httplib::Request& req, httplib::Response& res);
  void Dispatch(const httplib::Request& req, httplib::Response& res);
  void PostRouting(const httplib::Request& req, httplib::Response& res);
  void Log(const httplib::Request& req, const httplib::Response& res);
  httplib::Server::HandlerResponse OnError(const httplib::Request& req, httplib::Response& res);
  void OnException(const httplib::Request& req, httplib::Response& res, std::exception_ptr ep);

  // The whole response for an answer the connection gate gives by itself
  // (408, 414, 431, 503) before a request could be parsed: the error
  // envelope with the headers every response carries, closing the
  // connection. It is neither logged nor counted as a request: a flood of
  // them must not flood the log, and /metrics counts them by connection.
  std::string Refusal(int status);

 private:
  bool ApplyCors(const httplib::Request& req, httplib::Response& res);
  bool CheckBodyHeaders(const httplib::Request& req, httplib::Response& res);
  void RunRoute(const httplib::Request& req, httplib::Response& res);
  Result<auth::Principal> Authenticate(const httplib::Request& req) const;
  // Counts the request against its rate-limit buckets and sets the headers;
  // false (with the 429 written) when it must not proceed. who is null for
  // an anonymous caller, including one whose credentials failed.
  bool Admit(const httplib::Request& req, httplib::Response& res, RateClass rate_class,
             const auth::Principal* who);

  const Router& router_;
  const CorsPolicy cors_;
  const size_t max_body_bytes_;
  const Clock& clock_;
  const Credentials credentials_;
  const RateLimiting rate_;
  RequestMetrics metrics_;
};

// True if the Content-Type names JSON (application/json or a +json type),
// parameters such as charset ignored. For unit tests and the middleware.
bool IsJsonContentType(std::string_view content_type);

// True if id may be echoed as X-Correlation-ID: ^[A-Za-z0-9._-]{1,64}$.
bool IsValidCorrelationId(std::string_view id);

}  // namespace cairn::http
