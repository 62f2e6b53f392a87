#include "http/csrf.h"

#include <algorithm>
#include <cctype>

namespace cairn::http {

bool IsUnsafeMethod(std::string_view m) { return !(m == "GET" || m == "HEAD" || m == "OPTIONS"); }

std::string_view OriginOfUrl(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos || scheme == 0) return {};
  size_t host_start = scheme + 3;
  size_t end = url.find_first_of("/?#", host_start);
  if (end == std::string_view::npos) end = url.size();
  if (end == host_start) return {};
  return url.substr(0, end);
}

bool FromTrustedOrigin(const httplib::Request& req, const CorsPolicy& cors) {
  std::string_view origin;
  const std::string& origin_header = req.get_header_value("Origin");
  const std::string& referer = req.get_header_value("Referer");
  if (!origin_header.empty() && origin_header != "null") {
    origin = origin_header;
  } else if (origin_header.empty()) {
    origin = OriginOfUrl(referer);
  }
  if (origin.empty()) return false;  // no source, or an opaque one ("null")
  if (cors.Allows(origin)) return true;
  // This server's own origin: the host part equals the Host header. The
  // scheme is not compared: behind a TLS proxy the browser says https while
  // Cairn sees http.
  size_t host_start = origin.find("://");
  std::string_view host = origin.substr(host_start + 3);
  const std::string& own = req.get_header_value("Host");
  return !own.empty() && host.size() == own.size() &&
         std::equal(host.begin(), host.end(), own.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         });
}

}  // namespace cairn::http
