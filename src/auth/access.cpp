#include "auth/access.h"

#include <algorithm>

namespace cairn::auth {

std::optional<Role> ParseRole(std::string_view name) {
  if (name == "user") return Role::kUser;
  if (name == "merchant") return Role::kMerchant;
  if (name == "admin") return Role::kAdmin;
  return std::nullopt;
}

const char* RoleName(Role role) {
  switch (role) {
    case Role::kUser:
      return "user";
    case Role::kMerchant:
      return "merchant";
    case Role::kAdmin:
      return "admin";
  }
  return "user";
}

bool IsKnownScope(std::string_view scope) {
  return std::find(std::begin(kScopes), std::end(kScopes), scope) != std::end(kScopes);
}

Status CheckAccess(const Principal& who, Role minimum, const std::vector<std::string>& scopes) {
  // An unknown role in a token signed by us cannot happen; rank it lowest.
  Role role = ParseRole(who.role).value_or(Role::kUser);
  if (who.credential == Credential::kApiKey) {
    // Admin power is never delegated to a program, whatever the owner's role.
    if (minimum == Role::kAdmin) {
      return Status::PermissionDenied("API keys cannot call admin routes");
    }
    bool granted = std::any_of(scopes.begin(), scopes.end(), [&](const std::string& s) {
      return std::find(who.scopes.begin(), who.scopes.end(), s) != who.scopes.end();
    });
    if (!granted) {
      return Status::PermissionDenied(scopes.empty()
                                          ? "API keys cannot call this route; sign in instead"
                                          : "This API key lacks the scope " + scopes.front());
    }
  }
  if (role < minimum) {
    return Status::PermissionDenied(std::string("This route needs the ") + RoleName(minimum) +
                                    " role");
  }
  return Status::Ok();
}

}  // namespace cairn::auth
