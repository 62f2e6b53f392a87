#include "http/cors.h"

namespace cairn::http {

CorsPolicy::CorsPolicy(std::vector<std::string> allowed_origins)
    : origins_(std::move(allowed_origins)) {}

bool CorsPolicy::Allows(std::string_view origin) const {
  // Exact, case-sensitive comparison: browsers send the serialised origin
  // (lowercase scheme and host), and "null" or a look-alike must not pass.
  if (origin.empty()) return false;
  for (const std::string& o : origins_) {
    if (o == origin) return true;
  }
  return false;
}

CorsPolicy::Decision CorsPolicy::Decide(std::string_view method, std::string_view origin,
                                        std::string_view request_method_header) const {
  Decision d;
  d.preflight = method == "OPTIONS" && !origin.empty() && !request_method_header.empty();
  d.allow_origin = Allows(origin);
  return d;
}

}  // namespace cairn::http
