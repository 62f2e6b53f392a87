#pragma once

// The JSON shapes of accounts, shared by the auth, profile and admin routes,
// with their JSON Schemas for the OpenAPI document.

#include <picojson.h>

#include <cstdint>
#include <string>

#include "store/users.h"

namespace cairn::http {

// A user as the API shows it: never the password hash or lockout counters.
picojson::value UserJson(const store::UserRow& user);
// The same with what only admins see (status, updatedAt).
picojson::value AdminUserJson(const store::UserRow& user);
// Unix seconds as ISO 8601 UTC.
picojson::value TimeJson(int64_t unix_seconds);

extern const std::string kUserSchema;
extern const std::string kAdminUserSchema;

}  // namespace cairn::http
