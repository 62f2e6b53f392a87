#pragma once

// Account routes under /api/v1/auth: register, login, me.

#include "http/router.h"

namespace cairn::auth {
class Accounts;
}

namespace cairn::http {

// accounts must outlive the router's use; it may be null when only the
// OpenAPI document is built.
void RegisterAuthRoutes(Router& router, auth::Accounts* accounts);

}  // namespace cairn::http
