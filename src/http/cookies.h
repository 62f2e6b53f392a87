#pragma once

// The session cookies of API.md §5: reading a cookie from a request and
// writing Set-Cookie values. Both tokens travel HttpOnly and SameSite=Lax;
// Secure when the deployment says it is served over TLS (Cairn itself speaks
// plain HTTP, so it cannot see TLS terminated by a proxy in front of it).

#include <cstdint>
#include <string>
#include <string_view>

#include "http/httplib_config.h"

namespace cairn::http {

struct CookiePolicy {
  std::string access_name = "access_token";
  std::string refresh_name = "refresh_token";
  bool secure = false;
  // The refresh cookie goes only to the routes that consume it.
  static constexpr const char* kRefreshPath = "/api/v1/auth";
};

// The value of cookie `name` in the request's Cookie headers, or empty.
std::string CookieValue(const httplib::Request& req, std::string_view name);

// A Set-Cookie value; max_age_s 0 deletes the cookie.
std::string SetCookieValue(std::string_view name, std::string_view value, std::string_view path,
                           int64_t max_age_s, bool secure);

}  // namespace cairn::http
