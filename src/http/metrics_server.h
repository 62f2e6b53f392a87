#pragma once

// GET /metrics in Prometheus' text format, on a listener of its own
// (METRICS_HOST:METRICS_PORT, off unless METRICS_PORT is set). The figures
// say how busy the service is and who is failing to sign in, which is not
// for the public: a separate port lets the operator keep it on loopback or
// an internal network while the API port faces the world. Any other path
// there is 404.
//
// Each figure is read from the part of Cairn that owns it, at scrape time;
// nothing here keeps counts of its own.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "http/connection_gate.h"
#include "http/httplib_config.h"
#include "http/request_metrics.h"
#include "util/status.h"

namespace cairn::auth {
class AuditLog;
}
namespace cairn::events {
class Dispatcher;
class EventStreams;
class WebhookDeliverer;
}  // namespace cairn::events
namespace cairn::store {
class Database;
}

namespace cairn::http {

// Where the figures come from; each must outlive the MetricsServer. A null
// source leaves its families out.
struct MetricsSources {
  const RequestMetrics* requests = nullptr;
  std::function<ConnectionGate::Stats()> connections;
  const auth::AuditLog* audit = nullptr;
  const events::Dispatcher* dispatcher = nullptr;
  const events::WebhookDeliverer* deliverer = nullptr;
  const events::EventStreams* streams = nullptr;
  store::Database* db = nullptr;
  int64_t started_unix = 0;  // process start, for process_start_time_seconds
};

// The exposition text.
std::string RenderMetrics(const MetricsSources& sources);

class MetricsServer {
 public:
  explicit MetricsServer(MetricsSources sources);
  ~MetricsServer();  // stops and joins
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Binds host:port; Unavailable with the reason when it cannot.
  Status Bind(const std::string& host, int port);
  // Serves on a thread of its own until Stop().
  void Start();
  // Idempotent.
  void Stop();

 private:
  const MetricsSources sources_;
  httplib::Server server_;
  std::thread thread_;
};

}  // namespace cairn::http
