#include "http/metrics_server.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "auth/audit.h"
#include "events/dispatcher.h"
#include "events/streams.h"
#include "events/webhook_delivery.h"
#include "store/database.h"
#include "store/webhooks.h"
#include "util/log.h"
#include "util/process_stats.h"
#include "util/prometheus.h"
#include "util/version.h"

namespace cairn::http {

namespace {

void WriteAuth(const auth::AuditLog& audit, prometheus::Exposition& out) {
  out.Family("cairn_auth_events_total", "counter",
             "Security events since start, by audit action and reason: login.succeeded, "
             "login.failed (reason unknown_email, wrong_password or locked), account.locked, "
             "refresh_token.reused (a stolen token detected), password resets.");
  for (const auto& [key, n] : audit.Counts()) {
    out.Sample("cairn_auth_events_total", {{"action", key.first}, {"reason", key.second}}, n);
  }
}

void WriteEvents(const events::Dispatcher& dispatcher, prometheus::Exposition& out) {
  out.Family("cairn_events_total", "counter",
             "Domain events dispatched since start, by type; transaction.created, "
             "transaction.completed and transaction.failed count payments by outcome.");
  for (const auto& [type, n] : dispatcher.Counts()) {
    out.Sample("cairn_events_total", {{"type", type}}, n);
  }
}

void WriteWebhooks(const events::WebhookDeliverer& deliverer, store::Database* db,
                   prometheus::Exposition& out) {
  events::WebhookDeliverer::Stats s = deliverer.stats();
  out.Family("cairn_webhook_tries_total", "counter",
             "Webhook delivery tries since start, by result: delivered (2xx), retrying (failed, "
             "another try scheduled), failed (retries spent or expired).");
  out.Sample("cairn_webhook_tries_total", {{"result", "delivered"}}, s.delivered);
  out.Sample("cairn_webhook_tries_total", {{"result", "retrying"}}, s.retrying);
  out.Sample("cairn_webhook_tries_total", {{"result", "failed"}}, s.failed);
  if (db == nullptr) return;
  auto lease = db->Acquire(std::chrono::milliseconds(500));
  if (!lease.ok()) return;  // a busy pool: leave the gauge out of this scrape
  Result<int64_t> pending = store::CountPendingDeliveries(**lease);
  if (!pending.ok()) return;
  out.Family("cairn_webhook_deliveries_pending", "gauge",
             "Deliveries waiting for their first or next try.");
  out.Sample("cairn_webhook_deliveries_pending", *pending);
}

void WriteDatabase(const store::Database& db, prometheus::Exposition& out) {
  store::Database::FileSizes files = db.file_sizes();
  out.Family("cairn_db_size_bytes", "gauge", "The SQLite database file's size.");
  out.Sample("cairn_db_size_bytes", files.database);
  out.Family("cairn_db_wal_size_bytes", "gauge",
             "The write-ahead log's size; it shrinks back after a checkpoint truncates it.");
  out.Sample("cairn_db_wal_size_bytes", files.wal);
  store::Database::WriterStats w = db.writer_stats();
  out.Family("cairn_db_writer_waits_total", "counter",
             "Write transactions that found the writer lock taken and waited for it.");
  out.Sample("cairn_db_writer_waits_total", w.waits);
  out.Family("cairn_db_writer_wait_seconds_total", "counter",
             "Time those transactions spent waiting.");
  out.Sample("cairn_db_writer_wait_seconds_total", {},
             static_cast<double>(w.wait_micros) / 1e6);
  out.Family("cairn_db_busy_total", "counter",
             "Waits for the writer lock that ran out (SQLITE_BUSY, answered 503).");
  out.Sample("cairn_db_busy_total", w.timeouts);
}

void WriteProcess(int64_t started_unix, prometheus::Exposition& out) {
  // The names Prometheus' own client libraries use, so stock dashboards work.
  ProcessStats p = ReadProcessStats();
  out.Family("process_resident_memory_bytes", "gauge", "Resident memory size.");
  out.Sample("process_resident_memory_bytes", p.resident_bytes);
  out.Family("process_virtual_memory_bytes", "gauge", "Virtual memory size.");
  out.Sample("process_virtual_memory_bytes", p.virtual_bytes);
  out.Family("cairn_process_peak_resident_memory_bytes", "gauge",
             "The largest resident memory size since start (VmHWM).");
  out.Sample("cairn_process_peak_resident_memory_bytes", p.peak_resident_bytes);
  out.Family("process_open_fds", "gauge", "Open file descriptors.");
  out.Sample("process_open_fds", p.open_fds);
  out.Family("cairn_process_threads", "gauge", "Threads in the process.");
  out.Sample("cairn_process_threads", p.threads);
  out.Family("process_cpu_seconds_total", "counter", "User and system CPU time.");
  out.Sample("process_cpu_seconds_total", {}, p.cpu_seconds);
  out.Family("process_start_time_seconds", "gauge", "Start time, in seconds since the epoch.");
  out.Sample("process_start_time_seconds", started_unix);
}

void WriteConnections(const ConnectionGate::Stats& c, prometheus::Exposition& out) {
  out.Family("cairn_http_connections", "gauge",
             "Open client connections: waiting (idle, or a request still arriving) or being "
             "served by a worker.");
  out.Sample("cairn_http_connections", {{"state", "waiting"}}, c.waiting);
  out.Sample("cairn_http_connections", {{"state", "serving"}}, std::max<int64_t>(0, c.open - c.waiting));
  out.Family("cairn_http_connections_closed_total", "counter",
             "Connections the server closed before or instead of a response, by reason.");
  const std::pair<const char*, uint64_t> reasons[] = {
      {"idle_timeout", c.idle_timeouts},     {"request_timeout", c.request_timeouts},
      {"too_large", c.too_large},            {"over_capacity", c.over_capacity},
      {"workers_busy", c.workers_busy},
  };
  for (const auto& [reason, n] : reasons) {
    out.Sample("cairn_http_connections_closed_total", {{"reason", reason}}, n);
  }
}

}  // namespace

std::string RenderMetrics(const MetricsSources& s) {
  prometheus::Exposition out;
  out.Family("cairn_build_info", "gauge", "Always 1; the version is in the label.");
  out.Sample("cairn_build_info", {{"version", kVersion}}, int64_t{1});
  if (s.requests != nullptr) s.requests->Write(out);
  if (s.connections) WriteConnections(s.connections(), out);
  if (s.audit != nullptr) WriteAuth(*s.audit, out);
  if (s.dispatcher != nullptr) WriteEvents(*s.dispatcher, out);
  if (s.deliverer != nullptr) WriteWebhooks(*s.deliverer, s.db, out);
  if (s.streams != nullptr) {
    out.Family("cairn_sse_clients", "gauge", "Open event streams (GET /api/v1/events).");
    out.Sample("cairn_sse_clients", static_cast<int64_t>(s.streams->open_count()));
  }
  if (s.db != nullptr) WriteDatabase(*s.db, out);
  WriteProcess(s.started_unix, out);
  return out.text();
}

MetricsServer::MetricsServer(MetricsSources sources) : sources_(sources) {
  // Scrapes are one small request every few seconds: two workers, short
  // timeouts, and nothing read from a body.
  server_.new_task_queue = [] { return new httplib::ThreadPool(2); };
  server_.set_read_timeout(5, 0);
  server_.set_write_timeout(5, 0);
  server_.set_payload_max_length(0);
  server_.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(RenderMetrics(sources_), prometheus::kContentType);
    res.set_header("Cache-Control", "no-store");
  });
}

MetricsServer::~MetricsServer() {
  Stop();
  if (thread_.joinable()) thread_.join();
}

Status MetricsServer::Bind(const std::string& host, int port) {
  errno = 0;
  if (!server_.bind_to_port(host, port)) {
    std::string why = errno != 0 ? std::strerror(errno) : "address unavailable";
    return Status::Unavailable("METRICS_PORT: cannot listen on " + host + ":" +
                               std::to_string(port) + ": " + why);
  }
  log::Info("metrics_listening").Str("host", host).Int("port", port).Emit();
  return Status::Ok();
}

void MetricsServer::Start() {
  thread_ = std::thread([this] { server_.listen_after_bind(); });
}

void MetricsServer::Stop() {
  if (!thread_.joinable()) return;
  server_.wait_until_ready();
  server_.stop();
}

}  // namespace cairn::http
