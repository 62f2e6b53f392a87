#include "http/server.h"

#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>

#include <cerrno>
#include <cstring>

#include "auth/api_keys.h"
#include "auth/sessions.h"
#include "events/streams.h"
#include "http/handlers_static.h"
#include "http/openapi.h"
#include "util/log.h"
#include "util/version.h"

namespace cairn::http {

void BuildRoutes(Router& router, SystemDeps& system, AppDeps& app) {
  system.db = app.db;
  system.router = &router;
  // The areas, in order. Each declares its own routes.
  RegisterSystemRoutes(router, system);
  RegisterStaticRoutes(router, embedded::StaticFiles());  // the web pages, not API routes
  RegisterAuthRoutes(router, &app.auth);
  RegisterUserRoutes(router, &app.auth);  // /users/me before the admin's /users/{id}
  RegisterApiKeyRoutes(router, &app.auth);
  RegisterAdminRoutes(router, &app.auth);
  RegisterRateRoutes(router, &app.payments);
  RegisterBankAccountRoutes(router, &app.payments);
  RegisterRecipientRoutes(router, &app.payments);
  RegisterTransactionRoutes(router, &app.payments);
  RegisterMerchantRoutes(router, &app.payments);
  RegisterNotificationRoutes(router, &app.payments);
  RegisterComplianceRoutes(router, &app.payments);
  // Off, the card routes do not exist at all: 404 like any unknown route,
  // for every method, signed in or not.
  if (app.payments.cards_enabled) RegisterCardRoutes(router, &app.payments);
  RegisterWebhookRoutes(router, &app.events);
  RegisterEventStreamRoutes(router, &app.events);

  ApiInfo info;
  info.version = kVersion;
  info.description =
      "Cairn: a self-hosted JSON REST API in one binary over one SQLite file. Every response "
      "is the envelope {success, data} or {success: false, error}.";
  if (app.rate.limiter != nullptr) info.rate_limits = &app.rate.rules;
  system.openapi_json = BuildOpenApi(router, info);
}

namespace {

// A connection carries at most this many requests before it is closed.
constexpr int kKeepAliveMaxRequests = 1000;

// Each connection needs a descriptor. The soft limit on open files is raised
// to the hard one (systemd's soft default is 1024, its hard one far higher),
// and the gate admits no more than leaves room for the database, webhook
// deliveries and the listening sockets.
int64_t MaxConnections(int configured) {
  constexpr rlim_t kReserve = 256;
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return configured;
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  if (lim.rlim_cur == RLIM_INFINITY) return configured;
  int64_t room = lim.rlim_cur > 2 * kReserve ? static_cast<int64_t>(lim.rlim_cur - kReserve)
                                             : static_cast<int64_t>(lim.rlim_cur / 2);
  return std::min<int64_t>(configured, room);
}

ConnectionGate::Options GateOptions(const Config& config, Pipeline& pipeline) {
  ConnectionGate::Options o;
  o.max_connections = MaxConnections(config.max_connections);
  o.workers = static_cast<size_t>(config.worker_threads);
  o.max_queued = static_cast<size_t>(config.max_queued_connections);
  o.request_timeout = std::chrono::seconds(config.read_timeout_s);
  o.keep_alive_timeout = std::chrono::seconds(config.keep_alive_timeout_s);
  o.framing.max_body_bytes = config.max_body_bytes;
  o.framing.max_header_bytes = CPPHTTPLIB_REQUEST_URI_MAX_LENGTH + kMaxHeaderBytes + 4;
  o.framing.max_request_line = CPPHTTPLIB_REQUEST_URI_MAX_LENGTH;
  o.refusal = [&pipeline](int status) { return pipeline.Refusal(status); };
  return o;
}

// The accept loop's task queue: the task only hands the socket to the gate,
// so it runs at once on the accepting thread.
class AdmitAtOnce final : public httplib::TaskQueue {
 public:
  bool enqueue(std::function<void()> fn) override {
    fn();
    return true;
  }
  void shutdown() override {}
};

}  // namespace

// httplib still accepts, parses, routes and writes; only the question of
// which thread reads a connection, and when, is the gate's. httplib lets a
// subclass replace what happens to an accepted socket and call its request
// processing with a stream of its own (as its SSLServer does).
class Server::Http final : public httplib::Server {
 public:
  Http(const Config& config, Pipeline& pipeline)
      : read_timeout_(std::chrono::seconds(config.read_timeout_s)),
        write_timeout_(std::chrono::seconds(config.write_timeout_s)),
        gate_(GateOptions(config, pipeline), [this](Connection& c) { return Serve(c); }) {
    new_task_queue = [] { return new AdmitAtOnce; };
  }

  ConnectionGate& gate() { return gate_; }
  const ConnectionGate& gate() const { return gate_; }

 private:
  bool process_and_close_socket(socket_t sock) override {
    gate_.Admit(sock);
    return true;
  }

  // One request, read from what the gate received.
  ConnectionGate::After Serve(Connection& c) {
    bool last = c.requests_served + 1 >= kKeepAliveMaxRequests || gate_.stopping();
    bool client_closes = false;
    bool response_closes = false;
    bool ok;
    {
      ConnectionStream stream(c, std::chrono::steady_clock::now() + read_timeout_, write_timeout_);
      ok = process_request(stream, c.remote_addr, c.remote_port, c.local_addr, c.local_port,
                           last, client_closes, nullptr);
      response_closes = stream.response_closes();
    }
    if (!ok) return ConnectionGate::After::kClose;
    if (last || client_closes || response_closes) return ConnectionGate::After::kLinger;
    return ConnectionGate::After::kKeepAlive;
  }

  const std::chrono::milliseconds read_timeout_;
  const std::chrono::milliseconds write_timeout_;
  ConnectionGate gate_;
};

Server::Server(const Config& config, const AppDeps& deps) : config_(config), deps_(deps) {
  system_.started = std::chrono::steady_clock::now();
  BuildRoutes(router_, system_, deps_);
  Credentials credentials;
  credentials.access_cookie = deps_.auth.cookies.access_name;
  if (deps_.auth.sessions != nullptr) {
    credentials.access_token = [sessions = deps_.auth.sessions](std::string_view token) {
      return sessions->Authenticate(token);
    };
  }
  if (deps_.auth.api_keys != nullptr) {
    credentials.api_key = [keys = deps_.auth.api_keys](std::string_view key) {
      return keys->Authenticate(key);
    };
  }
  pipeline_ =
      std::make_unique<Pipeline>(router_, CorsPolicy(config.cors_origins), config.max_body_bytes,
                                 SystemClock::Get(), std::move(credentials), deps_.rate);

  server_ = std::make_unique<Http>(config, *pipeline_);
  // Without TCP_NODELAY a keep-alive client waits ~40 ms on delayed ACKs.
  server_->set_tcp_nodelay(true);
  // httplib's default sets SO_REUSEPORT, which lets a second cairn bind the
  // same port and silently take half the traffic. SO_REUSEADDR alone still
  // allows a quick restart over connections in TIME_WAIT.
  server_->set_socket_options([](socket_t sock) {
    int on = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  });
  // For the Keep-Alive header httplib writes; the gate enforces both.
  server_->set_keep_alive_timeout(config.keep_alive_timeout_s);
  server_->set_keep_alive_max_count(kKeepAliveMaxRequests);
  pipeline_->Install(*server_);
}

Server::~Server() = default;

Status Server::Bind() {
  errno = 0;
  if (!server_->bind_to_port(config_.host, config_.port)) {
    std::string why = errno != 0 ? std::strerror(errno) : "address unavailable";
    return Status::Unavailable("cannot listen on " + config_.host + ":" +
                               std::to_string(config_.port) + ": " + why);
  }
  return server_->gate().Start();
}

void Server::Run() {
  log::Info("server_listening")
      .Str("host", config_.host)
      .Int("port", config_.port)
      .Str("version", kVersion)
      .Int("workers", config_.worker_threads)
      .Int("max_connections", server_->gate().max_connections())
      .Emit();
  server_->listen_after_bind();
  // Accepting has stopped: close the idle connections, finish the requests
  // in progress.
  server_->gate().Stop();
}

void Server::Stop() {
  // Event streams hold their workers until told to end; the gate's Stop()
  // waits for every worker.
  if (deps_.events.streams != nullptr) deps_.events.streams->Close();
  // httplib's stop() is a no-op until listening has begun; a signal that
  // arrives during startup must still stop the server.
  server_->wait_until_ready();
  server_->stop();
}

ConnectionGate::Stats Server::connection_stats() const { return server_->gate().stats(); }

}  // namespace cairn::http
