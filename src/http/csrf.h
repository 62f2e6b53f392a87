#pragma once

// The CSRF check of API.md §5. Cookies ride along on cross-site requests;
// bearer tokens and API keys do not, so only a state-changing request that
// is authenticated by cookie needs it. Such a request must say where it came
// from (Origin, else Referer), and that must be this server itself (same
// host as the Host header) or one of the allowed CORS origins.

#include <string_view>

#include "http/cors.h"
#include "http/httplib_config.h"

namespace cairn::http {

// GET, HEAD and OPTIONS change nothing; everything else may.
bool IsUnsafeMethod(std::string_view method);

// True if the request's Origin (or, without one, the origin of its Referer)
// is this server's own or allowed by the CORS policy.
bool FromTrustedOrigin(const httplib::Request& req, const CorsPolicy& cors);

// "https://example.com:8443/a/b?c" -> "https://example.com:8443"; empty if
// the URL has no scheme and host.
std::string_view OriginOfUrl(std::string_view url);

}  // namespace cairn::http
