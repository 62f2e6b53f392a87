#pragma once

// Account and session routes under /api/v1/auth: register, login, refresh,
// logout, me, sessions.

#include "http/router.h"

namespace cairn::auth {
class Accounts;
class Sessions;
}  // namespace cairn::auth

namespace cairn::http {

struct AuthDeps {
  auth::Accounts* accounts = nullptr;
  auth::Sessions* sessions = nullptr;
};

// deps must outlive the router's use; its members may be null when only the
// OpenAPI document is built.
void RegisterAuthRoutes(Router& router, AuthDeps* deps);

}  // namespace cairn::http
