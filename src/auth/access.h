#pragma once

// Who is calling and what they may do: the caller of an authenticated
// request, the role ladder and API-key scopes, and the one check every
// authenticated route goes through (the pipeline calls CheckAccess with what
// the route table declares).
//
// Roles rank admin > merchant > user: a route open to merchants is open to
// admins. API keys act for their owner with the owner's current role, but
// only on routes that name one of the key's scopes, and never on admin routes.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace cairn::auth {

enum class Role { kUser = 0, kMerchant = 1, kAdmin = 2 };

std::optional<Role> ParseRole(std::string_view name);
const char* RoleName(Role role);

// How the caller proved who they are.
enum class Credential { kBearer, kCookie, kApiKey };

// The caller of an authenticated request.
struct Principal {
  std::string user_id;
  std::string email;
  std::string role;        // "user", "merchant" or "admin"
  std::string session_id;  // empty for an API key
  Credential credential = Credential::kBearer;
  std::string key_id;               // set for an API key
  std::vector<std::string> scopes;  // an API key's scopes
};

// The scopes an API key may hold.
inline constexpr const char* kScopes[] = {"transactions:read", "transactions:write", "rates:read",
                                          "webhooks:manage", "profile:read"};
bool IsKnownScope(std::string_view scope);

// OK if the principal may call a route that needs `minimum` and, for API
// keys, one of `scopes`. PermissionDenied otherwise, saying which.
Status CheckAccess(const Principal& who, Role minimum, const std::vector<std::string>& scopes);

}  // namespace cairn::auth
