#pragma once

// CORS decisions (API.md §4). Pure: given the request's Origin and method,
// says which headers to send; the middleware applies them. An origin not on
// the list gets no CORS headers at all, so the browser blocks the response.

#include <string>
#include <string_view>
#include <vector>

namespace cairn::http {

class CorsPolicy {
 public:
  explicit CorsPolicy(std::vector<std::string> allowed_origins);

  struct Decision {
    bool allow_origin = false;  // echo Origin and allow credentials
    bool preflight = false;     // OPTIONS with Access-Control-Request-Method
  };
  Decision Decide(std::string_view method, std::string_view origin,
                  std::string_view request_method_header) const;

  bool Allows(std::string_view origin) const;

  static constexpr const char* kAllowMethods = "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS";
  static constexpr const char* kAllowHeaders =
      "Authorization, Content-Type, Accept, Accept-Language, X-Requested-With, X-API-Key, "
      "Idempotency-Key, X-Correlation-ID, X-Client-Version, X-Device-ID, X-Platform";
  static constexpr const char* kExposeHeaders =
      "X-Request-ID, X-Correlation-ID, X-Response-Time, X-RateLimit-Limit, "
      "X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After";
  static constexpr const char* kMaxAge = "600";

 private:
  std::vector<std::string> origins_;
};

}  // namespace cairn::http
