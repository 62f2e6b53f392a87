#include "http/request_metrics.h"

#include <cstdio>
#include <string>

namespace cairn::http {

namespace {

std::string Seconds(int64_t micros) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6f", static_cast<double>(micros) / 1e6);
  return text;
}

}  // namespace

RequestMetrics::RequestMetrics(const Router& router)
    : router_(router), slots_(router.routes().size() + 1), by_route_(new Slot[slots_]) {}

size_t RequestMetrics::StatusSlot(int status) {
  for (size_t i = 0; i < kStatuses.size(); ++i) {
    if (kStatuses[i] == status) return i;
  }
  return kStatusSlots - 1;
}

int RequestMetrics::StatusAt(size_t slot) { return slot < kStatuses.size() ? kStatuses[slot] : 0; }

void RequestMetrics::Observe(const Route* route, int status, int64_t micros) {
  const std::vector<Route>& routes = router_.routes();
  size_t index = slots_ - 1;
  if (route != nullptr && !routes.empty() && route >= routes.data() &&
      route < routes.data() + routes.size()) {
    index = static_cast<size_t>(route - routes.data());
  }
  Slot& slot = by_route_[index];
  slot.by_status[StatusSlot(status)].fetch_add(1, std::memory_order_relaxed);
  size_t bucket = 0;
  while (bucket < kBoundsMicros.size() && micros > kBoundsMicros[bucket]) ++bucket;
  slot.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  slot.sum_micros.fetch_add(micros < 0 ? 0 : micros, std::memory_order_relaxed);
}

void RequestMetrics::RateLimited(std::string_view rule) {
  for (size_t i = 0; i < kRules.size(); ++i) {
    if (kRules[i] == rule) {
      rate_limited_[i].fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
}

void RequestMetrics::Write(prometheus::Exposition& out) const {
  const std::vector<Route>& routes = router_.routes();
  // A route's label is its pattern; two methods on one pattern are told
  // apart by the method label.
  auto labels_of = [&](size_t i, std::string& method, std::string& path) {
    if (i < routes.size()) {
      method = routes[i].method;
      path = routes[i].path;
    } else {
      method = "";
      path = "unmatched";
    }
  };

  out.Family("cairn_http_requests_total", "counter",
             "Requests answered, by route pattern, method and status (route \"unmatched\": no "
             "route; status \"other\": one Cairn does not normally send).");
  std::string method, path;
  for (size_t i = 0; i < slots_; ++i) {
    labels_of(i, method, path);
    for (size_t s = 0; s < kStatusSlots; ++s) {
      uint64_t n = by_route_[i].by_status[s].load(std::memory_order_relaxed);
      if (n == 0) continue;  // an unseen pair adds nothing but bytes
      int status = StatusAt(s);
      std::string status_text = status == 0 ? "other" : std::to_string(status);
      out.Sample("cairn_http_requests_total",
                 {{"method", method}, {"route", path}, {"status", status_text}}, n);
    }
  }

  out.Family("cairn_http_request_duration_seconds", "histogram",
             "Time from the request's first hook to its answer, by route pattern and method.");
  for (size_t i = 0; i < slots_; ++i) {
    const Slot& slot = by_route_[i];
    uint64_t counts[kBoundsMicros.size() + 1];
    uint64_t total = 0;
    for (size_t b = 0; b <= kBoundsMicros.size(); ++b) {
      counts[b] = slot.buckets[b].load(std::memory_order_relaxed);
      total += counts[b];
    }
    if (total == 0) continue;
    labels_of(i, method, path);
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= kBoundsMicros.size(); ++b) {
      cumulative += counts[b];
      std::string le = b < kBoundsMicros.size() ? Seconds(kBoundsMicros[b]) : "+Inf";
      out.Sample("cairn_http_request_duration_seconds_bucket",
                 {{"method", method}, {"route", path}, {"le", le}}, cumulative);
    }
    out.SampleText("cairn_http_request_duration_seconds_sum", {{"method", method}, {"route", path}},
                   Seconds(slot.sum_micros.load(std::memory_order_relaxed)));
    out.Sample("cairn_http_request_duration_seconds_count", {{"method", method}, {"route", path}},
               cumulative);
  }

  out.Family("cairn_rate_limited_total", "counter",
             "Requests refused with 429, by the rule that refused them (docs/API.md §8).");
  for (size_t i = 0; i < kRules.size(); ++i) {
    out.Sample("cairn_rate_limited_total", {{"rule", kRules[i]}},
               rate_limited_[i].load(std::memory_order_relaxed));
  }
}

}  // namespace cairn::http
