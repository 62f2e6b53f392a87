#pragma once

// System routes: liveness, readiness (and its deprecated unversioned alias),
// API discovery and the OpenAPI document.

#include <chrono>
#include <string>

#include "http/router.h"

namespace cairn::store {
class Database;
}

namespace cairn::http {

struct SystemDeps {
  store::Database* db = nullptr;
  std::chrono::steady_clock::time_point started;
  // The OpenAPI document, set once every route is registered and before the
  // server listens.
  std::string openapi_json;
  // The whole route table, for discovery.
  const Router* router = nullptr;
};

// deps must outlive the router's use.
void RegisterSystemRoutes(Router& router, SystemDeps& deps);

}  // namespace cairn::http
