#include "http/request_metrics.h"

#include <doctest/doctest.h>

#include <string>

namespace cairn::http {
namespace {

Route R(const char* method, const char* path) {
  Route r;
  r.method = method;
  r.path = path;
  r.handler = [](const Call&, httplib::Response&) { return Status::Ok(); };
  return r;
}

bool Has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST_CASE("requests are counted by route, method and status, with cumulative latency buckets") {
  Router router;
  router.Add(R("GET", "/health"));
  router.Add(R("GET", "/api/v1/users/{id}"));
  router.Add(R("DELETE", "/api/v1/users/{id}"));
  RequestMetrics m(router);
  const Route* health = &router.routes()[0];
  const Route* del = &router.routes()[2];
  m.Observe(health, 200, 300);        // 0.3 ms: the first bucket
  m.Observe(health, 200, 500);        // exactly on the 0.5 ms bound: still the first
  m.Observe(health, 503, 3'000'000);  // past every bound: only +Inf
  m.Observe(del, 404, 20'000);
  m.Observe(nullptr, 404, 100);  // no route matched
  m.Observe(del, 299, 100);      // a status Cairn does not send
  m.RateLimited("auth");
  m.RateLimited("auth");
  m.RateLimited("no-such-rule");  // ignored, not a new label

  prometheus::Exposition out;
  m.Write(out);
  const std::string& t = out.text();
  INFO(t);
  CHECK(Has(t, R"(cairn_http_requests_total{method="GET",route="/health",status="200"} 2)"));
  CHECK(Has(t, R"(cairn_http_requests_total{method="GET",route="/health",status="503"} 1)"));
  CHECK(Has(t,
            R"(cairn_http_requests_total{method="DELETE",route="/api/v1/users/{id}",status="404"} 1)"));
  CHECK(Has(t,
            R"(cairn_http_requests_total{method="DELETE",route="/api/v1/users/{id}",status="other"} 1)"));
  CHECK(Has(t, R"(cairn_http_requests_total{method="",route="unmatched",status="404"} 1)"));
  // A route never called has no samples at all.
  CHECK(t.find(R"(method="GET",route="/api/v1/users/{id}")") == std::string::npos);

  CHECK(Has(t, R"(cairn_http_request_duration_seconds_bucket{method="GET",route="/health",le="0.000500"} 2)"));
  CHECK(Has(t, R"(cairn_http_request_duration_seconds_bucket{method="GET",route="/health",le="2.500000"} 2)"));
  CHECK(Has(t, R"(cairn_http_request_duration_seconds_bucket{method="GET",route="/health",le="+Inf"} 3)"));
  CHECK(Has(t, R"(cairn_http_request_duration_seconds_count{method="GET",route="/health"} 3)"));
  CHECK(Has(t, R"(cairn_http_request_duration_seconds_sum{method="GET",route="/health"} 3.000800)"));
  CHECK(Has(t, R"(cairn_http_request_duration_seconds_bucket{method="DELETE",route="/api/v1/users/{id}",le="0.010000"} 1)"));
  CHECK(Has(t, R"(cairn_http_request_duration_seconds_bucket{method="DELETE",route="/api/v1/users/{id}",le="0.025000"} 2)"));

  CHECK(Has(t, R"(cairn_rate_limited_total{rule="auth"} 2)"));
  CHECK(Has(t, R"(cairn_rate_limited_total{rule="payments"} 0)"));
  CHECK(t.find("no-such-rule") == std::string::npos);
}

}  // namespace
}  // namespace cairn::http
