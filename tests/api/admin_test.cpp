// Administration over HTTP: the admin-only routes refusing everyone else,
// reading, creating, editing and soft-deleting accounts, and the audit log
// (listing accounts is in admin_lists_test.cpp, `cairn user create` in
// admin_cli_test.cpp). Each hostile case checks the status, the error code
// and that the database did not change.

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "accounts.h"
#include "harness.h"
#include "lists.h"

using namespace cairn::test;

namespace {

std::string Code(const httplib::Result& res) { return GetStr(JsonBody(res->body), "error.code"); }

int MeStatus(httplib::Client& cli, const std::string& access) {
  auto res = cli.Get("/api/v1/auth/me", Bearer(access));
  REQUIRE(res);
  return res->status;
}

}  // namespace

// --- who may call the admin routes -------------------------------------------

TEST_CASE("users and merchants get 403 on every admin route, anonymous callers 401") {
  ServerProcess server;
  auto cli = server.Client();
  Account admin = CreateWithCli(server, cli, "root@example.com", "admin");
  Account user = RegisterAndLogin(cli, "ada@example.com");
  Account merchant = CreateWithCli(server, cli, "shop@example.com", "merchant");
  const long long users_before = UserCount(server);
  const long long audit_before = QueryInt(server, "SELECT count(*) FROM audit_log");
  const std::string admin_before = UserRow(server, admin.id);
  const std::string user_before = UserRow(server, user.id);

  struct Call {
    const char* method;
    std::string path;
    std::string body;
  };
  const std::vector<Call> calls = {
      {"GET", "/api/v1/users", ""},
      {"GET", "/api/v1/users?role=admin", ""},
      {"GET", "/api/v1/users/" + admin.id, ""},
      {"PATCH", "/api/v1/users/" + user.id, R"({"role":"admin"})"},
      {"PATCH", "/api/v1/users/" + admin.id, R"({"kycStatus":"rejected"})"},
      {"DELETE", "/api/v1/users/" + admin.id, ""},
      {"POST", "/api/v1/users", NewUserBody("eve@example.com", "Eve", "Hacker", "\"admin\"")},
      {"GET", "/api/v1/admin/audit-log", ""},
      {"GET", "/api/v1/admin/mail", ""},
  };
  auto send = [&](const Call& c, const httplib::Headers& h) {
    std::string m = c.method;
    httplib::Result res = m == "GET"     ? cli.Get(c.path, h)
                          : m == "POST"  ? PostJson(cli, c.path, c.body, h)
                          : m == "PATCH" ? PatchJson(cli, c.path, c.body, h)
                                         : cli.Delete(c.path, h);
    REQUIRE(res);
    return res;
  };
  for (const Call& c : calls) {
    CAPTURE(std::string(c.method));
    CAPTURE(c.path);
    for (const Account* who : {&user, &merchant}) {
      CAPTURE(who->email);
      auto res = send(c, Bearer(who->access));
      CHECK(res->status == 403);
      CHECK(Code(res) == "forbidden");
      CHECK(res->body.find("usr_") == std::string::npos);  // no account data leaks
    }
    auto anonymous = send(c, {});
    CHECK(anonymous->status == 401);
    CHECK(Code(anonymous) == "unauthorized");
  }
  CHECK(UserCount(server) == users_before);
  CHECK(QueryInt(server, "SELECT count(*) FROM audit_log") == audit_before);
  CHECK(UserRow(server, admin.id) == admin_before);
  CHECK(UserRow(server, user.id) == user_before);
  CHECK(MeStatus(cli, admin.access) == 200);
}

// --- GET /api/v1/users ---------------------------------------------------------

TEST_CASE("GET /users/{id}: the admin view of an account; unknown and malformed ids are 404") {
  ServerProcess server;
  auto cli = server.Client();
  Account admin = CreateWithCli(server, cli, "root@example.com", "admin");
  Account ada = RegisterAndLogin(cli, "ada@example.com");

  auto res = cli.Get("/api/v1/users/" + ada.id, Bearer(admin.access));
  REQUIRE(res);
  CHECK(res->status == 200);
  auto body = JsonBody(res->body);
  CHECK(GetStr(body, "data.id") == ada.id);
  CHECK(GetStr(body, "data.email") == "ada@example.com");
  CHECK(GetStr(body, "data.status") == "active");
  CHECK(GetStr(body, "data.role") == "user");
  CHECK(GetStr(body, "data.updatedAt").back() == 'Z');
  CHECK(GetStr(body, "data.createdAt").back() == 'Z');
  CHECK(res->body.find("assword") == std::string::npos);
  CHECK(res->body.find("$argon2") == std::string::npos);

  const std::string before = UserRow(server, ada.id);
  for (const std::string& id :
       {std::string("usr_0000000000000000"), std::string("abc"), std::string("usr_123"),
        std::string("USR_0000000000000000"), std::string("usr_000000000000000g"),
        std::string("usr_00000000000000000"), ada.id.substr(0, ada.id.size() - 1) + "G",
        std::string("usr_0000000000000000%27%20OR%20%271%27=%271"),
        std::string("..%2F..%2Fetc%2Fpasswd")}) {
    CAPTURE(id);
    for (const char* method : {"GET", "PATCH", "DELETE"}) {
      CAPTURE(std::string(method));
      std::string path = "/api/v1/users/" + id;
      auto r = std::string(method) == "GET" ? cli.Get(path, Bearer(admin.access))
               : std::string(method) == "PATCH"
                   ? PatchJson(cli, path, R"({"kycStatus":"approved"})", Bearer(admin.access))
                   : cli.Delete(path, Bearer(admin.access));
      REQUIRE(r);
      CHECK(r->status == 404);
      CHECK(Code(r) == "not_found");
    }
  }
  CHECK(UserRow(server, ada.id) == before);
}

TEST_CASE("POST /users: an admin creates an account with a role; bad role 422, duplicate 409") {
  ServerProcess server;
  auto cli = server.Client();
  Account admin = CreateWithCli(server, cli, "root@example.com", "admin");

  auto res = PostJson(cli, "/api/v1/users",
                      NewUserBody("Shop@Example.com", " Sho ", "Keeper", "\"merchant\""),
                      Bearer(admin.access));
  REQUIRE(res);
  CHECK(res->status == 201);
  auto body = JsonBody(res->body);
  const std::string id = GetStr(body, "data.id");
  CHECK(id.rfind("usr_", 0) == 0);
  CHECK(GetStr(body, "data.email") == "shop@example.com");
  CHECK(GetStr(body, "data.firstName") == "Sho");
  CHECK(GetStr(body, "data.role") == "merchant");
  CHECK(GetStr(body, "data.status") == "active");
  CHECK(res->body.find(kPassword) == std::string::npos);
  CHECK(QueryText(server, "SELECT role FROM users WHERE id = '" + id + "'") == "merchant");
  CHECK(QueryText(server,
                  "SELECT actor_id FROM audit_log WHERE action = 'user.created' AND "
                  "target_id = '" +
                      id + "'") == admin.id);
  Account shop = Login(cli, "shop@example.com");
  auto me = cli.Get("/api/v1/auth/me", Bearer(shop.access));
  REQUIRE(me);
  CHECK(GetStr(JsonBody(me->body), "data.role") == "merchant");

  // Without a role the account is a plain user.
  auto plain = PostJson(cli, "/api/v1/users", NewUserBody("plain@example.com", "Pla", "In", ""),
                        Bearer(admin.access));
  REQUIRE(plain);
  CHECK(plain->status == 201);
  CHECK(GetStr(JsonBody(plain->body), "data.role") == "user");

  const long long users = UserCount(server);
  struct Bad {
    std::string body;
    std::map<std::string, std::string> codes;
  };
  const Bad cases[] = {
      {NewUserBody("eve@example.com", "Eve", "Bad", "\"superadmin\""), {{"role", "invalid_value"}}},
      {NewUserBody("eve@example.com", "Eve", "Bad", "\"Admin\""), {{"role", "invalid_value"}}},
      {NewUserBody("eve@example.com", "Eve", "Bad", "5"), {{"role", "invalid_value"}}},
      {NewUserBody("eve@example.com", "Eve", "Bad", "null"), {{"role", "invalid_value"}}},
      {NewUserBody("not-an-email", "", "Bad", "\"root\""),
       {{"email", "invalid_format"}, {"firstName", "required"}, {"role", "invalid_value"}}},
  };
  for (const Bad& b : cases) {
    CAPTURE(std::string(b.body));
    auto r = PostJson(cli, "/api/v1/users", b.body, Bearer(admin.access));
    REQUIRE(r);
    CHECK(r->status == 422);
    CHECK(Code(r) == "validation_error");
    CHECK(DetailCodes(JsonBody(r->body)) == b.codes);
    CHECK(UserCount(server) == users);
  }
  for (const char* email : {"shop@example.com", "SHOP@example.com", "root@example.com"}) {
    CAPTURE(std::string(email));
    auto dup = PostJson(cli, "/api/v1/users", NewUserBody(email, "Dup", "Licate", "\"user\""),
                        Bearer(admin.access));
    REQUIRE(dup);
    CHECK(dup->status == 409);
    CHECK(Code(dup) == "conflict");
    CHECK(UserCount(server) == users);
  }
  CHECK(QueryText(server, "SELECT role FROM users WHERE id = '" + id + "'") == "merchant");
}

TEST_CASE("PATCH /users/{id}: KYC decision and names change the row; bad values 422, unchanged") {
  ServerProcess server;
  auto cli = server.Client();
  Account admin = CreateWithCli(server, cli, "root@example.com", "admin");
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  const std::string where = " FROM users WHERE id = '" + ada.id + "'";

  auto res = PatchJson(cli, "/api/v1/users/" + ada.id, R"({"kycStatus":"approved"})",
                       Bearer(admin.access));
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(GetStr(JsonBody(res->body), "data.kycStatus") == "approved");
  CHECK(QueryText(server, "SELECT kyc_status" + where) == "approved");
  CHECK(MeStatus(cli, ada.access) == 200);  // no role change: the session lives on

  auto names =
      PatchJson(cli, "/api/v1/users/" + ada.id,
                R"({"firstName":"  Augusta ","phone":"+4712345678"})", Bearer(admin.access));
  REQUIRE(names);
  CHECK(names->status == 200);
  CHECK(GetStr(JsonBody(names->body), "data.firstName") == "Augusta");
  CHECK(QueryText(server, "SELECT first_name || ' ' || phone" + where) == "Augusta +4712345678");

  const std::string before = UserRow(server, ada.id);
  struct Bad {
    const char* body;
    std::map<std::string, std::string> codes;
  };
  const Bad cases[] = {
      {R"({"kycStatus":"maybe"})", {{"kycStatus", "invalid_value"}}},
      {R"({"kycStatus":"APPROVED"})", {{"kycStatus", "invalid_value"}}},
      {R"({"kycStatus":1})", {{"kycStatus", "invalid_value"}}},
      {R"({"kycStatus":null})", {{"kycStatus", "invalid_value"}}},
      {R"({"role":"root"})", {{"role", "invalid_value"}}},
      {R"({"role":"merchant","kycStatus":"maybe"})", {{"kycStatus", "invalid_value"}}},
      {R"({"firstName":"","kycStatus":"rejected"})", {{"firstName", "required"}}},
      {R"({"email":"x@example.com"})", {{"email", "read_only"}}},
      {R"({"password":"N3wPassword"})", {{"password", "read_only"}}},
  };
  for (const Bad& b : cases) {
    CAPTURE(std::string(b.body));
    auto r = PatchJson(cli, "/api/v1/users/" + ada.id, b.body, Bearer(admin.access));
    REQUIRE(r);
    CHECK(r->status == 422);
    CHECK(Code(r) == "validation_error");
    CHECK(DetailCodes(JsonBody(r->body)) == b.codes);
    CHECK(UserRow(server, ada.id) == before);
  }
  CHECK(MeStatus(cli, ada.access) == 200);
}

TEST_CASE("a change of role ends the account's sessions; an admin cannot change their own role") {
  ServerProcess server;
  auto cli = server.Client();
  Account admin = CreateWithCli(server, cli, "root@example.com", "admin");
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Account bob = RegisterAndLogin(cli, "bob@example.com");
  REQUIRE(MeStatus(cli, ada.access) == 200);

  auto res =
      PatchJson(cli, "/api/v1/users/" + ada.id, R"({"role":"merchant"})", Bearer(admin.access));
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(GetStr(JsonBody(res->body), "data.role") == "merchant");
  CHECK(QueryText(server, "SELECT role FROM users WHERE id = '" + ada.id + "'") == "merchant");
  // The old token carries role user: refused at once, and its refresh token too.
  CHECK(MeStatus(cli, ada.access) == 401);
  auto refresh =
      PostJson(cli, "/api/v1/auth/refresh", R"({"refreshToken":")" + ada.refresh + R"("})");
  REQUIRE(refresh);
  CHECK(refresh->status == 401);
  CHECK(QueryInt(server, "SELECT count(*) FROM sessions WHERE revoked_at IS NULL AND user_id = '" +
                             ada.id + "'") == 0);
  // Nobody else's session ended.
  CHECK(MeStatus(cli, bob.access) == 200);
  CHECK(MeStatus(cli, admin.access) == 200);
  // Signing in again gives a token with the new role.
  Account again = Login(cli, "ada@example.com");
  auto me = cli.Get("/api/v1/auth/me", Bearer(again.access));
  REQUIRE(me);
  CHECK(GetStr(JsonBody(me->body), "data.role") == "merchant");

  const std::string admin_before = UserRow(server, admin.id);
  for (const char* body : {R"({"role":"user"})", R"({"role":"merchant","firstName":"Root"})"}) {
    CAPTURE(std::string(body));
    auto self = PatchJson(cli, "/api/v1/users/" + admin.id, body, Bearer(admin.access));
    REQUIRE(self);
    CHECK(self->status == 409);
    CHECK(Code(self) == "conflict");
    CHECK(UserRow(server, admin.id) == admin_before);
  }
  CHECK(MeStatus(cli, admin.access) == 200);
}

TEST_CASE("DELETE /users/{id} soft-deletes: tokens and keys die at once, the email stays taken") {
  ServerProcess server;
  auto cli = server.Client();
  Account admin = CreateWithCli(server, cli, "root@example.com", "admin");
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  auto key_res = PostJson(cli, "/api/v1/api-keys", R"({"name":"k","scopes":["profile:read"]})",
                          Bearer(ada.access));
  REQUIRE(key_res);
  REQUIRE(key_res->status == 201);
  const std::string key = GetStr(JsonBody(key_res->body), "data.key");
  auto by_key = cli.Get("/api/v1/users/me", {{"X-API-Key", key}});
  REQUIRE(by_key);
  REQUIRE(by_key->status == 200);

  auto del = cli.Delete("/api/v1/users/" + ada.id, Bearer(admin.access));
  REQUIRE(del);
  CHECK(del->status == 204);
  CHECK(del->body.empty());

  CHECK(MeStatus(cli, ada.access) == 401);
  auto profile = cli.Get("/api/v1/users/me", Bearer(ada.access));
  REQUIRE(profile);
  CHECK(profile->status == 401);
  auto key_after = cli.Get("/api/v1/users/me", {{"X-API-Key", key}});
  REQUIRE(key_after);
  CHECK(key_after->status == 401);
  auto refresh =
      PostJson(cli, "/api/v1/auth/refresh", R"({"refreshToken":")" + ada.refresh + R"("})");
  REQUIRE(refresh);
  CHECK(refresh->status == 401);
  auto login =
      PostJson(cli, "/api/v1/auth/login",
               R"({"email":"ada@example.com","password":")" + std::string(kPassword) + R"("})");
  REQUIRE(login);
  CHECK(login->status == 401);
  CHECK(Code(login) == "unauthorized");
  const long long users = UserCount(server);
  auto again = PostJson(cli, "/api/v1/auth/register",
                        R"({"email":"ADA@example.com","password":"Passw0rd1","firstName":"New",)"
                        R"("lastName":"Ada","dateOfBirth":"1990-01-01"})");
  REQUIRE(again);
  CHECK(again->status == 409);
  CHECK(Code(again) == "conflict");
  CHECK(UserCount(server) == users);
  CHECK(QueryInt(server, "SELECT count(*) FROM sessions WHERE revoked_at IS NULL AND user_id = '" +
                             ada.id + "'") == 0);
  CHECK(QueryInt(server, "SELECT count(*) FROM api_keys WHERE revoked_at IS NULL AND user_id = '" +
                             ada.id + "'") == 0);
  CHECK(QueryInt(server, "SELECT deleted_at IS NOT NULL FROM users WHERE id = '" + ada.id + "'") ==
        1);

  auto get = cli.Get("/api/v1/users/" + ada.id, Bearer(admin.access));
  REQUIRE(get);
  CHECK(get->status == 200);
  CHECK(GetStr(JsonBody(get->body), "data.status") == "deleted");

  const std::string deleted = UserRow(server, ada.id);
  auto twice = cli.Delete("/api/v1/users/" + ada.id, Bearer(admin.access));
  REQUIRE(twice);
  CHECK(twice->status == 404);
  CHECK(Code(twice) == "not_found");
  auto edit = PatchJson(cli, "/api/v1/users/" + ada.id, R"({"kycStatus":"approved"})",
                        Bearer(admin.access));
  REQUIRE(edit);
  CHECK(edit->status == 409);
  CHECK(Code(edit) == "conflict");
  CHECK(UserRow(server, ada.id) == deleted);
  // A forgotten-password request for the deleted account sends nothing. The
  // requests are served in order, so once the admin's own mail is there,
  // Ada's request has been dealt with.
  for (const char* email : {"ada@example.com", "root@example.com"}) {
    auto forgot =
        PostJson(cli, "/api/v1/auth/forgot-password", std::string(R"({"email":")") + email + "\"}");
    REQUIRE(forgot);
    CHECK(forgot->status == 202);
  }
  for (int i = 0; i < 150 && QueryInt(server, "SELECT count(*) FROM mail") == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(QueryInt(server, "SELECT count(*) FROM mail WHERE recipient = 'root@example.com'") == 1);
  CHECK(QueryInt(server, "SELECT count(*) FROM mail WHERE recipient = 'ada@example.com'") == 0);

  const std::string admin_before = UserRow(server, admin.id);
  auto self = cli.Delete("/api/v1/users/" + admin.id, Bearer(admin.access));
  REQUIRE(self);
  CHECK(self->status == 409);
  CHECK(Code(self) == "conflict");
  CHECK(UserRow(server, admin.id) == admin_before);
  CHECK(MeStatus(cli, admin.access) == 200);
  auto unknown = cli.Delete("/api/v1/users/usr_0000000000000000", Bearer(admin.access));
  REQUIRE(unknown);
  CHECK(unknown->status == 404);
}
