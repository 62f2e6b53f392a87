#include "auth/access.h"

#include <doctest/doctest.h>

namespace cairn::auth {
namespace {

Principal Person(const char* role) {
  Principal p;
  p.user_id = "usr_0123456789abcdef";
  p.role = role;
  return p;
}

Principal Key(const char* role, std::vector<std::string> scopes) {
  Principal p = Person(role);
  p.credential = Credential::kApiKey;
  p.key_id = "key_0123456789abcdef";
  p.scopes = std::move(scopes);
  return p;
}

TEST_CASE("roles rank admin over merchant over user") {
  CHECK(CheckAccess(Person("user"), Role::kUser, {}).ok());
  CHECK(CheckAccess(Person("merchant"), Role::kUser, {}).ok());
  CHECK(CheckAccess(Person("admin"), Role::kMerchant, {}).ok());
  CHECK(CheckAccess(Person("admin"), Role::kAdmin, {}).ok());
  CHECK(CheckAccess(Person("user"), Role::kMerchant, {}).code() == Code::kPermissionDenied);
  CHECK(CheckAccess(Person("merchant"), Role::kAdmin, {}).code() == Code::kPermissionDenied);
  // A role the server never issues ranks lowest rather than highest.
  CHECK(CheckAccess(Person("root"), Role::kMerchant, {}).code() == Code::kPermissionDenied);
  CHECK(CheckAccess(Person(""), Role::kUser, {}).ok());
}

TEST_CASE("scopes bind only API keys; people pass whatever the route lists") {
  CHECK(CheckAccess(Person("user"), Role::kUser, {"profile:read"}).ok());
  CHECK(CheckAccess(Key("user", {"profile:read"}), Role::kUser, {"profile:read"}).ok());
  CHECK(CheckAccess(Key("user", {"rates:read", "profile:read"}), Role::kUser,
                    {"transactions:read", "profile:read"})
            .ok());
  CHECK(CheckAccess(Key("user", {"rates:read"}), Role::kUser, {"profile:read"}).code() ==
        Code::kPermissionDenied);
  CHECK(CheckAccess(Key("user", {}), Role::kUser, {"profile:read"}).code() ==
        Code::kPermissionDenied);
}

TEST_CASE("a route that names no scope is closed to every API key") {
  Status st = CheckAccess(Key("admin", {"profile:read", "transactions:write"}), Role::kUser, {});
  CHECK(st.code() == Code::kPermissionDenied);
  CHECK(st.message().find("sign in") != std::string::npos);
}

TEST_CASE("an API key never reaches an admin route, even an admin's with the scope") {
  Status st = CheckAccess(Key("admin", {"profile:read"}), Role::kAdmin, {"profile:read"});
  CHECK(st.code() == Code::kPermissionDenied);
  CHECK(st.message().find("admin") != std::string::npos);
}

TEST_CASE("a key's role is its owner's: a user's key cannot open a merchant route") {
  CHECK(CheckAccess(Key("user", {"transactions:read"}), Role::kMerchant, {"transactions:read"})
            .code() == Code::kPermissionDenied);
  CHECK(CheckAccess(Key("merchant", {"transactions:read"}), Role::kMerchant, {"transactions:read"})
            .ok());
}

TEST_CASE("the scope names and roles round-trip") {
  for (const char* s : kScopes) CHECK(IsKnownScope(s));
  CHECK_FALSE(IsKnownScope("admin"));
  CHECK_FALSE(IsKnownScope("profile:read "));
  CHECK_FALSE(IsKnownScope(""));
  for (Role r : {Role::kUser, Role::kMerchant, Role::kAdmin}) CHECK(ParseRole(RoleName(r)) == r);
  CHECK_FALSE(ParseRole("Admin").has_value());
}

}  // namespace
}  // namespace cairn::auth
