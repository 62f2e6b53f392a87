#pragma once

// Writing Prometheus' text exposition format (version 0.0.4), the format
// every Prometheus-compatible scraper reads:
//
//   # HELP cairn_http_requests_total Requests answered, by route and status.
//   # TYPE cairn_http_requests_total counter
//   cairn_http_requests_total{route="/health",status="200"} 42
//
// Names are chosen by the code; label values may come from data (a route
// pattern, an event type) and are escaped as the format requires.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace cairn::prometheus {

using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

class Exposition {
 public:
  // Starts a family: its HELP and TYPE lines. type is counter, gauge or
  // histogram. Every sample of a family follows its Family() call.
  void Family(std::string_view name, std::string_view type, std::string_view help);

  void Sample(std::string_view name, Labels labels, uint64_t value);
  void Sample(std::string_view name, Labels labels, int64_t value);
  void Sample(std::string_view name, Labels labels, double value);
  void Sample(std::string_view name, uint64_t value) { Sample(name, {}, value); }
  void Sample(std::string_view name, int64_t value) { Sample(name, {}, value); }

  // A sample whose value is already text (a number the caller formatted).
  void SampleText(std::string_view name, Labels labels, std::string_view value);

  const std::string& text() const { return out_; }

 private:
  void Start(std::string_view name, Labels labels);
  std::string out_;
};

// The media type the format is served as.
inline constexpr char kContentType[] = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace cairn::prometheus
