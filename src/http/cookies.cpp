#include "http/cookies.h"

namespace cairn::http {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string CookieValue(const httplib::Request& req, std::string_view name) {
  // A request may carry several Cookie headers (HTTP/2 proxies split them);
  // each is "a=1; b=2". The first match wins, as in browsers' ordering.
  auto range = req.headers.equal_range("Cookie");
  for (auto it = range.first; it != range.second; ++it) {
    std::string_view rest = it->second;
    while (!rest.empty()) {
      size_t semi = rest.find(';');
      std::string_view pair = Trim(rest.substr(0, semi));
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      size_t eq = pair.find('=');
      if (eq == std::string_view::npos || Trim(pair.substr(0, eq)) != name) continue;
      std::string_view value = Trim(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return std::string(value);
    }
  }
  return {};
}

std::string SetCookieValue(std::string_view name, std::string_view value, std::string_view path,
                           int64_t max_age_s, bool secure) {
  std::string out;
  out.reserve(name.size() + value.size() + 96);
  out.append(name).append("=").append(value);
  out.append("; Path=").append(path);
  out.append("; Max-Age=").append(std::to_string(max_age_s));
  out.append("; HttpOnly; SameSite=Lax");
  if (secure) out.append("; Secure");
  return out;
}

}  // namespace cairn::http
