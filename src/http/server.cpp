#include "http/server.h"

#include <sys/socket.h>

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

  // httplib keeps a worker for each open keep-alive connection; the queue
  // bounds accepted connections waiting for one (beyond it they are closed).
  size_t threads = static_cast<size_t>(config.worker_threads);
  size_t queued = static_cast<size_t>(config.max_queued_connections);
  server_.new_task_queue = [threads, queued] { return new httplib::ThreadPool(threads, queued); };
  // Without TCP_NODELAY a keep-alive client waits ~40 ms on delayed ACKs.
  server_.set_tcp_nodelay(true);
  // httplib's default sets SO_REUSEPORT, which lets a second cairn bind the
  // same port and silently take half the traffic. SO_REUSEADDR alone still
  // allows a quick restart over connections in TIME_WAIT.
  server_.set_socket_options([](socket_t sock) {
    int on = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  });
  server_.set_read_timeout(config.read_timeout_s, 0);
  server_.set_write_timeout(config.write_timeout_s, 0);
  server_.set_keep_alive_timeout(config.keep_alive_timeout_s);
  server_.set_keep_alive_max_count(1000);
  pipeline_->Install(server_);
}

Status Server::Bind() {
  errno = 0;
  if (!server_.bind_to_port(config_.host, config_.port)) {
    std::string why = errno != 0 ? std::strerror(errno) : "address unavailable";
    return Status::Unavailable("cannot listen on " + config_.host + ":" +
                               std::to_string(config_.port) + ": " + why);
  }
  return Status::Ok();
}

void Server::Run() {
  log::Info("server_listening")
      .Str("host", config_.host)
      .Int("port", config_.port)
      .Str("version", kVersion)
      .Int("workers", config_.worker_threads)
      .Emit();
  server_.listen_after_bind();
}

void Server::Stop() {
  // Event streams hold their workers until told to end; httplib's stop()
  // waits for every worker.
  if (deps_.events.streams != nullptr) deps_.events.streams->Close();
  // httplib's stop() is a no-op until listening has begun; a signal that
  // arrives during startup must still stop the server.
  server_.wait_until_ready();
  server_.stop();
}

}  // namespace cairn::http
