#include "http/cors.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace cairn::http {
namespace {

const CorsPolicy kPolicy({"https://app.example.com", "http://localhost:3000"});

TEST_CASE("only an exact listed origin is allowed") {
  struct Row {
    std::string origin;
    bool allowed;
  };
  const std::vector<Row> rows = {
      {"https://app.example.com", true},
      {"http://localhost:3000", true},
      {"https://APP.example.com", false},
      {"HTTPS://app.example.com", false},
      {"https://app.example.com/", false},
      {"https://app.example.com:443", false},
      {"http://app.example.com", false},
      {"https://app.example.com.evil.test", false},
      {"https://evil.app.example.com", false},
      {"https://app.example.co", false},
      {" https://app.example.com", false},
      {std::string("https://app.example.com\0", 24), false},
      {"http://localhost:3001", false},
      {"http://localhost", false},
      {"null", false},
      {"*", false},
      {"", false},
  };
  for (const Row& r : rows) {
    CAPTURE(r.origin);
    CHECK(kPolicy.Allows(r.origin) == r.allowed);
  }
}

TEST_CASE("an empty policy allows no origin, not even an empty one") {
  const CorsPolicy none({});
  CHECK_FALSE(none.Allows("https://app.example.com"));
  CHECK_FALSE(none.Allows(""));
  const CorsPolicy blank({""});
  CHECK_FALSE(blank.Allows(""));
}

TEST_CASE("a preflight is an OPTIONS with an Origin and Access-Control-Request-Method") {
  struct Row {
    std::string method;
    std::string origin;
    std::string request_method;
    bool preflight;
    bool allow_origin;
  };
  const std::vector<Row> rows = {
      {"OPTIONS", "https://app.example.com", "POST", true, true},
      {"OPTIONS", "https://evil.test", "POST", true, false},
      {"OPTIONS", "null", "GET", true, false},
      {"OPTIONS", "", "POST", false, false},
      {"OPTIONS", "https://app.example.com", "", false, true},
      {"GET", "https://app.example.com", "POST", false, true},
      {"POST", "https://app.example.com", "", false, true},
      {"options", "https://app.example.com", "POST", false, true},
      {"GET", "https://evil.test", "", false, false},
  };
  for (const Row& r : rows) {
    CAPTURE(r.method);
    CAPTURE(r.origin);
    CAPTURE(r.request_method);
    CorsPolicy::Decision d = kPolicy.Decide(r.method, r.origin, r.request_method);
    CHECK(d.preflight == r.preflight);
    CHECK(d.allow_origin == r.allow_origin);
  }
}

}  // namespace
}  // namespace cairn::http
