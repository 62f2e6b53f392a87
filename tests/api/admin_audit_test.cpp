// The audit log over HTTP: what sign-ins, lockouts, admin changes and key
// creation leave in it, its filters and order, and that it never holds a
// secret.

#include <doctest/doctest.h>

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "accounts.h"
#include "harness.h"
#include "lists.h"

using namespace cairn::test;

TEST_CASE("the audit log records sign-ins, lockouts, admin changes and keys, without secrets") {
  ServerProcess server;
  auto cli = server.Client();
  Account admin = CreateWithCli(server, cli, "root@example.com", "admin");
  Account bob = RegisterAndLogin(cli, "bob@example.com");
  Account carol = RegisterAndLogin(cli, "carol@example.com");
  const std::string wrong_password = "Wr0ngGuess1";
  const std::string wrong = R"({"email":"bob@example.com","password":")" + wrong_password + "\"}";
  REQUIRE(PostJson(cli, "/api/v1/auth/login", wrong)->status == 401);
  const std::string carol_wrong =
      R"({"email":"carol@example.com","password":")" + wrong_password + "\"}";
  for (int i = 0; i < 4; ++i)
    REQUIRE(PostJson(cli, "/api/v1/auth/login", carol_wrong)->status == 401);
  REQUIRE(PostJson(cli, "/api/v1/auth/login", carol_wrong)->status == 423);
  REQUIRE(
      PatchJson(cli, "/api/v1/users/" + bob.id, R"({"kycStatus":"approved"})", Bearer(admin.access))
          ->status == 200);
  auto key_res = PostJson(cli, "/api/v1/api-keys", R"({"name":"k","scopes":["profile:read"]})",
                          Bearer(bob.access));
  REQUIRE(key_res);
  REQUIRE(key_res->status == 201);
  const std::string key = GetStr(JsonBody(key_res->body), "data.key");
  // Timestamps have one-second resolution: the last event gets a second of
  // its own, so "newest first" is checkable.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  REQUIRE(cli.Delete("/api/v1/users/" + carol.id, Bearer(admin.access))->status == 204);

  Page log = List(cli, admin, "/api/v1/admin/audit-log?pageSize=100");
  REQUIRE(log.status == 200);
  CHECK(PgInt(log, "total") == static_cast<int64_t>(log.items.size()));
  CHECK(PgInt(log, "total") == QueryInt(server, "SELECT count(*) FROM audit_log"));
  std::vector<std::string> actions = Field(log, "action");
  std::vector<std::string> times = Field(log, "createdAt");
  REQUIRE_FALSE(actions.empty());
  CHECK(actions.front() == "user.deleted");
  for (size_t i = 1; i < times.size(); ++i) CHECK(times[i - 1] >= times[i]);
  auto find = [&](const std::string& action, const std::string& target) -> const picojson::object* {
    for (const picojson::value& v : log.items) {
      const auto& o = v.get<picojson::object>();
      if (o.at("action").to_str() == action &&
          (target.empty() || (o.count("targetId") && o.at("targetId").to_str() == target))) {
        return &o;
      }
    }
    return nullptr;
  };
  CHECK(find("user.created", admin.id) != nullptr);
  CHECK(find("user.created", bob.id) != nullptr);
  CHECK(find("login.succeeded", admin.id) != nullptr);
  CHECK(find("login.succeeded", bob.id) != nullptr);
  CHECK(find("login.failed", bob.id) != nullptr);
  CHECK(find("account.locked", carol.id) != nullptr);
  CHECK(find("api_key.created", bob.id) != nullptr);
  const picojson::object* updated = find("user.updated", bob.id);
  REQUIRE(updated != nullptr);
  CHECK(updated->at("actorId").to_str() == admin.id);
  CHECK(Get(*updated, "details.kycStatus").to_str() == "approved");
  const picojson::object* deleted = find("user.deleted", carol.id);
  REQUIRE(deleted != nullptr);
  CHECK(deleted->at("actorId").to_str() == admin.id);
  CHECK(log.items.front().get<picojson::object>().at("targetId").to_str() == carol.id);

  // No password, token or key anywhere in the log.
  for (const std::string& secret :
       {std::string(kPassword), wrong_password, key, admin.access, admin.refresh, bob.access,
        bob.refresh, carol.access, carol.refresh}) {
    CHECK(log.body.find(secret) == std::string::npos);
  }
  CHECK(log.body.find("$argon2") == std::string::npos);

  Page failed = List(cli, admin, "/api/v1/admin/audit-log?action=login.failed&pageSize=100");
  REQUIRE(failed.status == 200);
  CHECK(FieldSet(failed, "action") == std::set<std::string>{"login.failed"});
  CHECK(failed.items.size() == 6);  // one for bob, five for carol
  CHECK(PgInt(failed, "total") ==
        QueryInt(server, "SELECT count(*) FROM audit_log WHERE action = 'login.failed'"));

  Page about_bob = List(cli, admin, "/api/v1/admin/audit-log?pageSize=100&targetId=" + bob.id);
  REQUIRE(about_bob.status == 200);
  CHECK(FieldSet(about_bob, "targetId") == std::set<std::string>{bob.id});
  CHECK(FieldSet(about_bob, "action") == std::set<std::string>{"user.created", "login.succeeded",
                                                               "login.failed", "user.updated",
                                                               "api_key.created"});
  Page both = List(cli, admin, "/api/v1/admin/audit-log?action=user.updated&targetId=" + bob.id);
  CHECK(both.items.size() == 1);
  Page none = List(cli, admin, "/api/v1/admin/audit-log?action=no.such.action");
  CHECK(none.status == 200);
  CHECK(none.items.empty());
  CHECK(PgInt(none, "total") == 0);
  CHECK(List(cli, admin, "/api/v1/admin/audit-log?sort=ip").status == 400);
}
