#pragma once

// The integration surfaces' routes (API.md §9 events, §10 webhooks):
// webhook endpoints and their deliveries, and the live event stream.

#include <chrono>

#include "http/router.h"

namespace cairn::store {
class Database;
}
namespace cairn::events {
class Webhooks;
class EventStreams;
}

namespace cairn::http {

struct EventDeps {
  store::Database* db = nullptr;
  events::Webhooks* webhooks = nullptr;
  events::EventStreams* streams = nullptr;
  // A comment line on an idle stream this often, so proxies and clients
  // see it is alive (SSE_HEARTBEAT_S).
  std::chrono::seconds heartbeat{15};
};

// deps must outlive the router's use; its members may be null when only the
// OpenAPI document is built.
void RegisterWebhookRoutes(Router& router, EventDeps* deps);
void RegisterEventStreamRoutes(Router& router, EventDeps* deps);

}  // namespace cairn::http
