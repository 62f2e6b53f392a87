// The caller's own profile over HTTP: GET and PATCH /api/v1/users/me, with
// the hostile cases (bad values, read-only fields, a role or KYC escalation
// attempt, no token), each checking that the refused request changed nothing.

#include <doctest/doctest.h>

#include <map>
#include <string>

#include "accounts.h"
#include "harness.h"

using namespace cairn::test;

namespace {

httplib::Result PatchMe(httplib::Client& cli, const Account& a, const std::string& body) {
  return PatchJson(cli, "/api/v1/users/me", body, Bearer(a.access));
}

// Fails the test if any key or value in the JSON text names a secret or the
// lockout bookkeeping.
void CheckNoSecrets(const std::string& body) {
  CAPTURE(std::string(body));
  for (const char* word : {"password", "Password", "hash", "Hash", "$argon2", "locked", "Locked",
                           "failed", "Failed", "first_failed", "deleted_at"}) {
    CAPTURE(std::string(word));
    CHECK(body.find(word) == std::string::npos);
  }
}

}  // namespace

TEST_CASE("GET /users/me returns the caller's own profile and no secret or lockout field") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Account bob = RegisterAndLogin(cli, "bob@example.com");
  // Give Ada some lockout state that must not show.
  auto wrong =
      PostJson(cli, "/api/v1/auth/login", R"({"email":"ada@example.com","password":"Wrong1234"})");
  REQUIRE(wrong);
  REQUIRE(wrong->status == 401);
  REQUIRE(QueryInt(server, "SELECT failed_logins FROM users WHERE id = '" + ada.id + "'") == 1);

  auto res = cli.Get("/api/v1/users/me", Bearer(ada.access));
  REQUIRE(res);
  CHECK(res->status == 200);
  auto body = JsonBody(res->body);
  CHECK(Get(body, "success").get<bool>());
  CHECK(GetStr(body, "data.id") == ada.id);
  CHECK(GetStr(body, "data.email") == "ada@example.com");
  CHECK(GetStr(body, "data.firstName") == "Test");
  CHECK(GetStr(body, "data.lastName") == "User");
  CHECK(GetStr(body, "data.dateOfBirth") == "1990-01-01");
  CHECK(GetStr(body, "data.role") == "user");
  CHECK(GetStr(body, "data.kycStatus") == "pending");
  CHECK(GetStr(body, "data.createdAt").back() == 'Z');
  CHECK(Get(body, "data.phone").is<picojson::null>());  // absent, not null or ""
  CheckNoSecrets(res->body);

  auto other = cli.Get("/api/v1/users/me", Bearer(bob.access));
  REQUIRE(other);
  CHECK(other->status == 200);
  CHECK(GetStr(JsonBody(other->body), "data.id") == bob.id);
}

TEST_CASE("PATCH /users/me trims and stores names and phone; phone null removes it") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Account bob = RegisterAndLogin(cli, "bob@example.com");
  const std::string bob_before = UserRow(server, bob.id);

  auto res = PatchMe(cli, ada,
                     R"({"firstName":"  Ada ","lastName":"\tLovelace  ","phone":"+4712345678",)"
                     R"("unknownField":"ignored"})");
  REQUIRE(res);
  CHECK(res->status == 200);
  auto body = JsonBody(res->body);
  CHECK(GetStr(body, "data.firstName") == "Ada");
  CHECK(GetStr(body, "data.lastName") == "Lovelace");
  CHECK(GetStr(body, "data.phone") == "+4712345678");
  CHECK(GetStr(body, "data.email") == "ada@example.com");
  CHECK(GetStr(body, "data.role") == "user");
  CHECK(res->body.find("unknownField") == std::string::npos);
  CheckNoSecrets(res->body);
  const std::string where = " FROM users WHERE id = '" + ada.id + "'";
  CHECK(QueryText(server, "SELECT first_name" + where) == "Ada");
  CHECK(QueryText(server, "SELECT last_name" + where) == "Lovelace");
  CHECK(QueryText(server, "SELECT phone" + where) == "+4712345678");

  // GET agrees with the PATCH response.
  auto me = cli.Get("/api/v1/users/me", Bearer(ada.access));
  REQUIRE(me);
  CHECK(Get(JsonBody(me->body), "data") == Get(body, "data"));

  // One field at a time leaves the others alone.
  auto last_only = PatchMe(cli, ada, R"({"lastName":"King"})");
  REQUIRE(last_only);
  CHECK(last_only->status == 200);
  CHECK(GetStr(JsonBody(last_only->body), "data.firstName") == "Ada");
  CHECK(QueryText(server, "SELECT first_name || ' ' || last_name || ' ' || phone" + where) ==
        "Ada King +4712345678");

  auto removed = PatchMe(cli, ada, R"({"phone":null})");
  REQUIRE(removed);
  CHECK(removed->status == 200);
  auto removed_body = JsonBody(removed->body);
  CHECK(Get(removed_body, "data.phone").is<picojson::null>());  // the key is gone
  CHECK(removed->body.find("\"phone\"") == std::string::npos);
  CHECK(QueryInt(server, "SELECT phone IS NULL" + where) == 1);
  CHECK(GetStr(removed_body, "data.lastName") == "King");

  // Someone else's row was never touched.
  CHECK(UserRow(server, bob.id) == bob_before);
}

TEST_CASE("invalid profile values are 422 naming every failing field, and change nothing") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  REQUIRE(PatchMe(cli, ada, R"({"phone":"+4712345678"})")->status == 200);
  const std::string before = UserRow(server, ada.id);

  struct Bad {
    const char* body;
    std::map<std::string, std::string> codes;  // field -> details code
  };
  const Bad cases[] = {
      {R"({"firstName":"","lastName":"<b>Bold</b>","phone":"123"})",
       {{"firstName", "required"}, {"lastName", "invalid_format"}, {"phone", "invalid_format"}}},
      {R"({"firstName":42,"lastName":true,"phone":12345678})",
       {{"firstName", "invalid_type"}, {"lastName", "invalid_type"}, {"phone", "invalid_type"}}},
      {R"({"firstName":"   ","lastName":"1234"})",
       {{"firstName", "required"}, {"lastName", "invalid_format"}}},
      {R"({"firstName":null})", {{"firstName", "required"}}},
      {R"({"firstName":["Ada"],"phone":{"n":"+4712345678"}})",
       {{"firstName", "invalid_type"}, {"phone", "invalid_type"}}},
      {R"({"lastName":"a<script>","phone":"+47 1234 5678"})",
       {{"lastName", "invalid_format"}, {"phone", "invalid_format"}}},
      {R"({"phone":"+1234567890123456"})", {{"phone", "invalid_format"}}},
      // A valid field next to an invalid one is not applied either.
      {R"({"firstName":"Valid","phone":"123"})", {{"phone", "invalid_format"}}},
  };
  for (const Bad& b : cases) {
    CAPTURE(std::string(b.body));
    auto res = PatchMe(cli, ada, b.body);
    REQUIRE(res);
    CHECK(res->status == 422);
    auto body = JsonBody(res->body);
    CHECK(GetStr(body, "error.code") == "validation_error");
    CHECK(DetailCodes(body) == b.codes);
    CHECK(UserRow(server, ada.id) == before);
  }
  std::string long_name(101, 'a');
  auto too_long = PatchMe(cli, ada, R"({"lastName":")" + long_name + R"("})");
  REQUIRE(too_long);
  CHECK(too_long->status == 422);
  CHECK(DetailCodes(JsonBody(too_long->body)) ==
        std::map<std::string, std::string>{{"lastName", "too_long"}});
  CHECK(UserRow(server, ada.id) == before);
}

TEST_CASE("role or kycStatus in a profile edit is 403 forbidden: no escalation, nothing changed") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  const std::string before = UserRow(server, ada.id);
  for (const char* body :
       {R"({"role":"admin"})", R"({"kycStatus":"approved"})", R"({"role":"merchant"})",
        R"({"firstName":"Eve","role":"admin"})", R"({"role":null})",
        R"({"kycStatus":"approved","lastName":"Mallory"})"}) {
    CAPTURE(std::string(body));
    auto res = PatchMe(cli, ada, body);
    REQUIRE(res);
    CHECK(res->status == 403);
    CHECK(GetStr(JsonBody(res->body), "error.code") == "forbidden");
    CHECK(UserRow(server, ada.id) == before);
  }
  CHECK(QueryText(server, "SELECT role FROM users WHERE id = '" + ada.id + "'") == "user");
  CHECK(QueryText(server, "SELECT kyc_status FROM users WHERE id = '" + ada.id + "'") == "pending");
  // Still a plain user everywhere: admin routes stay closed.
  auto me = cli.Get("/api/v1/auth/me", Bearer(ada.access));
  REQUIRE(me);
  CHECK(GetStr(JsonBody(me->body), "data.role") == "user");
  auto list = cli.Get("/api/v1/users", Bearer(ada.access));
  REQUIRE(list);
  CHECK(list->status == 403);
}

TEST_CASE("email, password and dateOfBirth are read-only in a profile edit: 422 read_only") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  const std::string before = UserRow(server, ada.id);
  struct Bad {
    const char* body;
    std::map<std::string, std::string> codes;
  };
  const Bad cases[] = {
      {R"({"email":"eve@example.com"})", {{"email", "read_only"}}},
      {R"({"password":"N3wPassword"})", {{"password", "read_only"}}},
      {R"({"dateOfBirth":"1970-01-01"})", {{"dateOfBirth", "read_only"}}},
      {R"({"email":"eve@example.com","password":"N3wPassword","dateOfBirth":"1970-01-01",)"
       R"("firstName":"Eve"})",
       {{"email", "read_only"}, {"password", "read_only"}, {"dateOfBirth", "read_only"}}},
  };
  for (const Bad& b : cases) {
    CAPTURE(std::string(b.body));
    auto res = PatchMe(cli, ada, b.body);
    REQUIRE(res);
    CHECK(res->status == 422);
    auto body = JsonBody(res->body);
    CHECK(GetStr(body, "error.code") == "validation_error");
    CHECK(DetailCodes(body) == b.codes);
    CHECK(UserRow(server, ada.id) == before);
  }
  // The old password still signs in; the new one was never set.
  Login(cli, "ada@example.com");
  auto res = PostJson(cli, "/api/v1/auth/login",
                      R"({"email":"ada@example.com","password":"N3wPassword"})");
  REQUIRE(res);
  CHECK(res->status == 401);
}

TEST_CASE("the profile routes need a valid token: 401 unauthorized") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  const std::string before = UserRow(server, ada.id);
  for (const httplib::Headers& h :
       {httplib::Headers{}, Bearer("not-a-token"), Bearer(ada.access + "x"),
        httplib::Headers{{"Authorization", "Basic YWRhOlBhc3N3MHJkMQ=="}}}) {
    auto get = cli.Get("/api/v1/users/me", h);
    REQUIRE(get);
    CHECK(get->status == 401);
    CHECK(GetStr(JsonBody(get->body), "error.code") == "unauthorized");
    auto patch = PatchJson(cli, "/api/v1/users/me", R"({"firstName":"Eve"})", h);
    REQUIRE(patch);
    CHECK(patch->status == 401);
    CHECK(GetStr(JsonBody(patch->body), "error.code") == "unauthorized");
  }
  CHECK(UserRow(server, ada.id) == before);

  // After logout, the same token is refused too.
  REQUIRE(cli.Post("/api/v1/auth/logout", Bearer(ada.access), "", "application/json")->status ==
          200);
  auto after = PatchMe(cli, ada, R"({"firstName":"Eve"})");
  REQUIRE(after);
  CHECK(after->status == 401);
  CHECK(UserRow(server, ada.id) == before);
}
