// Fuzz target: http::CookieValue over a request's Cookie headers, and its
// round trip with SetCookieValue. The first byte picks the cookie asked for;
// the rest, split at '\n', is up to four Cookie headers.
//
// Beyond not crashing, it checks:
//  - a value found is a substring of one of the Cookie headers and holds
//    no ';' (it never runs into the next cookie);
//  - a cookie Cairn sets comes back unchanged: for a value of RFC 6265
//    cookie-octets made from the input, SetCookieValue's name=value part,
//    sent among other cookies, reads back as that value; and a Set-Cookie
//    value never holds CR or LF.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "http/cookies.h"

namespace cairn::http {
namespace {

constexpr const char* kNames[] = {"access_token", "refresh_token", "a", "x y"};

// cookie-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E (RFC 6265 §4.1.1)
bool IsCookieOctet(unsigned char c) {
  return c == 0x21 || (c >= 0x23 && c <= 0x2b) || (c >= 0x2d && c <= 0x3a) ||
         (c >= 0x3c && c <= 0x5b) || (c >= 0x5d && c <= 0x7e);
}

void CheckFound(const httplib::Request& req, const std::string& value) {
  if (value.empty()) return;
  bool inside = false;
  auto range = req.headers.equal_range("Cookie");
  for (auto it = range.first; it != range.second; ++it) {
    inside |= it->second.find(value) != std::string::npos;
  }
  FUZZ_CHECK(inside);
  FUZZ_CHECK(value.find(';') == std::string::npos);
}

void CheckRoundTrip(std::string_view name, std::string_view input) {
  std::string value;
  for (char c : input) {
    if (IsCookieOctet(static_cast<unsigned char>(c))) value.push_back(c);
  }
  std::string set = SetCookieValue(name, value, CookiePolicy::kRefreshPath, 3600, true);
  FUZZ_CHECK(set.find_first_of("\r\n") == std::string::npos);
  std::string pair = set.substr(0, set.find("; Path="));
  httplib::Request req;
  req.headers.emplace("Cookie", "other=1; " + pair + "; last=2");
  FUZZ_CHECK(CookieValue(req, name) == value);
}

}  // namespace
}  // namespace cairn::http

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cairn;
  using namespace cairn::http;
  if (size == 0) return 0;
  std::string_view name = kNames[data[0] % 4];
  std::string_view rest = fuzz::AsText(data + 1, size - 1);
  std::string_view all = rest;

  httplib::Request req;
  for (int i = 0; i < 4 && !rest.empty(); ++i) {
    req.headers.emplace("Cookie", std::string(fuzz::NextLine(&rest)));
  }
  req.headers.emplace("X-Not-A-Cookie", "access_token=no");
  CheckFound(req, CookieValue(req, name));
  CheckRoundTrip(name, all);
  return 0;
}
