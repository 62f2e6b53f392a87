#pragma once

// Account and session routes under /api/v1/auth (register, login, refresh,
// logout, me, sessions, password, forgot/reset password), /api/v1/users/me,
// /api/v1/api-keys, and the admin routes (/api/v1/users, /api/v1/admin/...).

#include "http/cookies.h"
#include "http/cors.h"
#include "http/router.h"

namespace cairn::auth {
class Accounts;
class Admin;
class ApiKeys;
class PasswordResets;
class Sessions;
}  // namespace cairn::auth

namespace cairn::http {

struct AuthDeps {
  auth::Accounts* accounts = nullptr;
  auth::Sessions* sessions = nullptr;
  auth::PasswordResets* resets = nullptr;
  auth::ApiKeys* api_keys = nullptr;
  auth::Admin* admin = nullptr;
  CookiePolicy cookies;
};

// deps must outlive the router's use; its members may be null when only the
// OpenAPI document is built.
void RegisterAuthRoutes(Router& router, AuthDeps* deps);
void RegisterUserRoutes(Router& router, AuthDeps* deps);
void RegisterApiKeyRoutes(Router& router, AuthDeps* deps);
void RegisterAdminRoutes(Router& router, AuthDeps* deps);

// The caller's own user: GET /api/v1/auth/me and GET /api/v1/users/me.
Status GetMe(AuthDeps& d, const Call& call, httplib::Response& res);

}  // namespace cairn::http
