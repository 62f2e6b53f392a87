#pragma once

// What the HTTP layer counts for GET /metrics: requests by route and status,
// their latency as a histogram per route, and rate-limit refusals by rule.
//
// Recording is a few relaxed atomic increments in fixed arrays sized when the
// route table is built: nothing is allocated or locked per request, and the
// memory is bounded by the routes, never by what clients send (an unknown
// path counts as route "unmatched", an unusual status as "other").
//
// Thread-safe.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

#include "http/router.h"
#include "util/prometheus.h"

namespace cairn::http {

class RequestMetrics {
 public:
  // router's route table must be complete and outlive this.
  explicit RequestMetrics(const Router& router);
  RequestMetrics(const RequestMetrics&) = delete;
  RequestMetrics& operator=(const RequestMetrics&) = delete;

  // One answered request; route is null when none matched.
  void Observe(const Route* route, int status, int64_t micros);
  // One request refused with 429 by the named rule ("anonymous", "user",
  // "merchant", "auth", "payments", "rates").
  void RateLimited(std::string_view rule);

  void Write(prometheus::Exposition& out) const;

  // Latency bucket bounds in microseconds (0.5 ms to 2.5 s), then +Inf.
  static constexpr std::array<int64_t, 12> kBoundsMicros = {
      500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000};
  // The statuses Cairn answers with; any other counts as "other".
  static constexpr std::array<int, 30> kStatuses = {
      101, 200, 201, 202, 204, 206, 301, 302, 304, 400, 401, 402, 403, 404, 405,
      406, 408, 409, 410, 413, 414, 415, 422, 423, 429, 431, 500, 501, 503, 504};
  static constexpr std::array<std::string_view, 6> kRules = {"anonymous", "user",  "merchant",
                                                             "auth",      "payments", "rates"};

 private:
  static constexpr size_t kStatusSlots = kStatuses.size() + 1;  // the last is "other"
  struct Slot {
    std::atomic<uint64_t> by_status[kStatusSlots] = {};
    std::atomic<uint64_t> buckets[kBoundsMicros.size() + 1] = {};  // the last is +Inf
    std::atomic<int64_t> sum_micros{0};
  };
  static size_t StatusSlot(int status);
  static int StatusAt(size_t slot);  // 0 for "other"

  const Router& router_;
  const size_t slots_;              // one per route, then "unmatched"
  std::unique_ptr<Slot[]> by_route_;
  std::atomic<uint64_t> rate_limited_[kRules.size()] = {};
};

}  // namespace cairn::http
