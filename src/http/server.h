#pragma once

// The HTTP server: cpp-httplib for accepting, parsing and writing, with its
// connections held by the connection gate between requests
// (http/connection_gate.h) and served by the gate's workers; the middleware
// pipeline; and the route table with every area registered in order.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "http/connection_gate.h"
#include "http/handlers_auth.h"
#include "http/handlers_events.h"
#include "http/handlers_payments.h"
#include "http/handlers_system.h"
#include "http/httplib_config.h"
#include "http/pipeline.h"
#include "http/router.h"
#include "util/config.h"
#include "util/status.h"

namespace cairn::store {
class Database;
}

namespace cairn::http {

// What the routes need from the rest of the program. Pointers may be null
// when only the OpenAPI document is wanted.
struct AppDeps {
  store::Database* db = nullptr;
  AuthDeps auth;
  PaymentDeps payments;
  EventDeps events;
  RateLimiting rate;  // off unless rate.limiter is set
};

// Builds the full route table and the OpenAPI document from it. The router
// keeps pointers into system and app; they must outlive it.
void BuildRoutes(Router& router, SystemDeps& system, AppDeps& app);

class Server {
 public:
  Server(const Config& config, const AppDeps& deps);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  ~Server();

  // Binds host:port and starts the connection gate. Unavailable with the
  // reason when it cannot.
  Status Bind();
  // Serves until Stop(); returns once in-flight requests have finished.
  void Run();
  // Stops accepting and lets workers finish their current request.
  // Thread-safe; idempotent.
  void Stop();

  // What the request pipeline has counted (GET /metrics).
  const RequestMetrics& request_metrics() const { return pipeline_->metrics(); }
  ConnectionGate::Stats connection_stats() const;

 private:
  class Http;  // httplib::Server with its connections handed to the gate

  const Config& config_;
  AppDeps deps_;
  SystemDeps system_;
  Router router_;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<Http> server_;
};

}  // namespace cairn::http
