// Sessions over HTTP: refresh rotation and reuse detection, logout (one and
// all), revocation that survives a restart, and listing and ending sessions,
// with the hostile cases.

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

#include "harness.h"

using namespace cairn::test;

namespace {

const char kAda[] =
    R"({"email":"ada@example.com","password":"Passw0rd1","firstName":"Ada","lastName":"Lovelace",)"
    R"("dateOfBirth":"1990-04-30"})";
const char kBob[] =
    R"({"email":"bob@example.com","password":"Passw0rd2","firstName":"Bob","lastName":"Babbage",)"
    R"("dateOfBirth":"1985-01-02"})";

struct Pair {
  std::string access;
  std::string refresh;
};

Pair Tokens(const std::string& body) {
  auto o = JsonBody(body);
  return {GetStr(o, "data.accessToken"), GetStr(o, "data.refreshToken")};
}

Pair Login(httplib::Client& cli, const char* email, const char* password) {
  auto res = cli.Post("/api/v1/auth/login",
                      std::string(R"({"email":")") + email + R"(","password":")" + password + "\"}",
                      "application/json");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  return Tokens(res->body);
}

Pair Register(httplib::Client& cli, const char* body, const char* email, const char* password) {
  auto reg = cli.Post("/api/v1/auth/register", body, "application/json");
  REQUIRE(reg);
  REQUIRE(reg->status == 201);
  return Login(cli, email, password);
}

httplib::Result Refresh(httplib::Client& cli, const std::string& token) {
  return cli.Post("/api/v1/auth/refresh", R"({"refreshToken":")" + token + "\"}",
                  "application/json");
}

int Me(httplib::Client& cli, const std::string& access) {
  auto res = cli.Get("/api/v1/auth/me", {{"Authorization", "Bearer " + access}});
  REQUIRE(res);
  return res->status;
}

httplib::Headers Bearer(const std::string& access) {
  return {{"Authorization", "Bearer " + access}};
}

int LiveSessions(const ServerProcess& server) {
  SQLite::Database db(server.db_path(), SQLite::OPEN_READONLY);
  return db.execAndGet("SELECT count(*) FROM sessions WHERE revoked_at IS NULL").getInt();
}

}  // namespace

TEST_CASE("a refresh token rotates: the new pair works and the session stays the same") {
  ServerProcess server;
  auto cli = server.Client();
  Pair first = Register(cli, kAda, "ada@example.com", "Passw0rd1");
  auto res = Refresh(cli, first.refresh);
  REQUIRE(res);
  CHECK(res->status == 200);
  Pair second = Tokens(res->body);
  CHECK(second.refresh != first.refresh);
  CHECK(second.access != first.access);
  CHECK(Me(cli, second.access) == 200);
  CHECK(Me(cli, first.access) == 200);  // still unexpired, same live session
  CHECK(LiveSessions(server) == 1);
  // The new refresh token rotates in turn.
  auto third = Refresh(cli, second.refresh);
  REQUIRE(third);
  CHECK(third->status == 200);
}

TEST_CASE("a rotated refresh token replayed within the grace gets a pair; after it, the session dies") {
  ServerProcess::Options opts;
  opts.env["REFRESH_REUSE_GRACE_S"] = "0";  // any replay is past the grace
  ServerProcess server(opts);
  auto cli = server.Client();
  Pair first = Register(cli, kAda, "ada@example.com", "Passw0rd1");
  auto rotated = Refresh(cli, first.refresh);
  REQUIRE(rotated);
  REQUIRE(rotated->status == 200);
  Pair second = Tokens(rotated->body);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // a whole second later

  auto replay = Refresh(cli, first.refresh);
  REQUIRE(replay);
  CHECK(replay->status == 401);
  auto body = JsonBody(replay->body);
  CHECK(GetStr(body, "error.code") == "unauthorized");
  CHECK(GetStr(body, "error.details.reason") == "token_reused");
  // The whole family is gone: the newest refresh token and every access token.
  auto newest = Refresh(cli, second.refresh);
  REQUIRE(newest);
  CHECK(newest->status == 401);
  CHECK(Me(cli, second.access) == 401);
  CHECK(Me(cli, first.access) == 401);
  CHECK(LiveSessions(server) == 0);
  // A new login still works.
  Pair again = Login(cli, "ada@example.com", "Passw0rd1");
  CHECK(Me(cli, again.access) == 200);
}

TEST_CASE("within the default grace, two tabs refreshing with one token both get pairs") {
  ServerProcess server;
  auto cli = server.Client();
  Pair first = Register(cli, kAda, "ada@example.com", "Passw0rd1");
  auto a = Refresh(cli, first.refresh);
  auto b = Refresh(cli, first.refresh);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->status == 200);
  CHECK(b->status == 200);
  CHECK(Me(cli, Tokens(b->body).access) == 200);
  CHECK(LiveSessions(server) == 1);
}

TEST_CASE("unknown, malformed and missing refresh tokens are refused and change nothing") {
  ServerProcess server;
  auto cli = server.Client();
  Pair first = Register(cli, kAda, "ada@example.com", "Passw0rd1");
  for (const std::string& token :
       {std::string("not-a-token"), std::string(43, 'A'), std::string(""),
        std::string(5000, 'x'), first.access}) {
    auto res = Refresh(cli, token);
    REQUIRE(res);
    CHECK(res->status == 401);
  }
  auto missing = cli.Post("/api/v1/auth/refresh", "{}", "application/json");
  REQUIRE(missing);
  CHECK(missing->status == 422);
  // The real token was not disturbed.
  auto ok = Refresh(cli, first.refresh);
  REQUIRE(ok);
  CHECK(ok->status == 200);
}

TEST_CASE("logout ends this session at once, and its refresh token with it") {
  ServerProcess server;
  auto cli = server.Client();
  Pair phone = Register(cli, kAda, "ada@example.com", "Passw0rd1");
  Pair laptop = Login(cli, "ada@example.com", "Passw0rd1");
  auto res = cli.Post("/api/v1/auth/logout", Bearer(phone.access), "", "application/json");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(Me(cli, phone.access) == 401);
  auto refresh = Refresh(cli, phone.refresh);
  REQUIRE(refresh);
  CHECK(refresh->status == 401);
  CHECK(Me(cli, laptop.access) == 200);  // the other session lives on
  CHECK(LiveSessions(server) == 1);
  // Logging out needs a token.
  auto anonymous = cli.Post("/api/v1/auth/logout", "", "application/json");
  REQUIRE(anonymous);
  CHECK(anonymous->status == 401);
}

TEST_CASE("logout with all ends every session of the user and no one else's") {
  ServerProcess server;
  auto cli = server.Client();
  Pair a1 = Register(cli, kAda, "ada@example.com", "Passw0rd1");
  Pair a2 = Login(cli, "ada@example.com", "Passw0rd1");
  Pair bob = Register(cli, kBob, "bob@example.com", "Passw0rd2");
  auto bad = cli.Post("/api/v1/auth/logout", Bearer(a1.access), R"({"all":"yes"})",
                      "application/json");
  REQUIRE(bad);
  CHECK(bad->status == 422);
  CHECK(Me(cli, a1.access) == 200);  // the refused request changed nothing

  auto res = cli.Post("/api/v1/auth/logout", Bearer(a1.access), R"({"all":true})",
                      "application/json");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(Me(cli, a1.access) == 401);
  CHECK(Me(cli, a2.access) == 401);
  CHECK(Me(cli, bob.access) == 200);
  CHECK(LiveSessions(server) == 1);
}

TEST_CASE("a revoked session's access token stays refused after a restart") {
  TempDir dir;
  ServerProcess::Options opts;
  opts.db_path = dir.File("cairn.db");
  Pair ada;
  {
    ServerProcess server(opts);
    auto cli = server.Client();
    ada = Register(cli, kAda, "ada@example.com", "Passw0rd1");
    auto res = cli.Post("/api/v1/auth/logout", Bearer(ada.access), "", "application/json");
    REQUIRE(res);
    REQUIRE(res->status == 200);
    REQUIRE(server.Stop() == 0);
  }
  ServerProcess server(opts);
  auto cli = server.Client();
  CHECK(Me(cli, ada.access) == 401);
}

TEST_CASE("sessions are listed for their owner, and another user's session cannot be ended") {
  ServerProcess server;
  auto cli = server.Client();
  Pair a1 = Register(cli, kAda, "ada@example.com", "Passw0rd1");
  Pair a2 = Login(cli, "ada@example.com", "Passw0rd1");
  Pair bob = Register(cli, kBob, "bob@example.com", "Passw0rd2");

  auto list = cli.Get("/api/v1/auth/sessions", Bearer(a2.access));
  REQUIRE(list);
  CHECK(list->status == 200);
  picojson::value data = Get(JsonBody(list->body), "data");
  REQUIRE(data.is<picojson::array>());
  const auto& sessions = data.get<picojson::array>();
  REQUIRE(sessions.size() == 2);
  int current = 0;
  std::string other_id;
  for (const auto& s : sessions) {
    const auto& o = s.get<picojson::object>();
    if (o.at("current").get<bool>()) {
      ++current;
    } else {
      other_id = o.at("id").get<std::string>();
    }
  }
  CHECK(current == 1);

  // Bob cannot end Ada's session: 404, and it lives on.
  auto stolen = cli.Delete("/api/v1/auth/sessions/" + other_id, Bearer(bob.access));
  REQUIRE(stolen);
  CHECK(stolen->status == 404);
  CHECK(Me(cli, a1.access) == 200);
  auto unknown = cli.Delete("/api/v1/auth/sessions/ses_0000000000000000", Bearer(a2.access));
  REQUIRE(unknown);
  CHECK(unknown->status == 404);

  auto ended = cli.Delete("/api/v1/auth/sessions/" + other_id, Bearer(a2.access));
  REQUIRE(ended);
  CHECK(ended->status == 204);
  CHECK(ended->body.empty());
  CHECK(Me(cli, a1.access) == 401);
  CHECK(Me(cli, a2.access) == 200);
}

TEST_CASE("changing the password ends every other session and keeps this one") {
  ServerProcess server;
  auto cli = server.Client();
  Pair here = Register(cli, kAda, "ada@example.com", "Passw0rd1");
  Pair there = Login(cli, "ada@example.com", "Passw0rd1");

  struct Bad {
    const char* body;
    const char* field;
    const char* code;
  };
  for (const Bad& b : {Bad{R"({"currentPassword":"Wrong1234","newPassword":"N3wPassword"})",
                           "currentPassword", "incorrect"},
                       Bad{R"({"currentPassword":"Passw0rd1","newPassword":"short1"})",
                           "newPassword", "too_short"},
                       Bad{R"({"currentPassword":"Passw0rd1","newPassword":"Passw0rd1"})",
                           "newPassword", "unchanged"},
                       Bad{R"({"newPassword":"N3wPassword"})", "currentPassword", "required"}}) {
    CAPTURE(b.body);
    auto res = cli.Put("/api/v1/auth/password", Bearer(here.access), b.body, "application/json");
    REQUIRE(res);
    CHECK(res->status == 422);
    auto body = JsonBody(res->body);
    picojson::value details = Get(body, "error.details");
    REQUIRE(details.is<picojson::array>());
    const auto& first = details.get<picojson::array>()[0].get<picojson::object>();
    CHECK(first.at("field").get<std::string>() == b.field);
    CHECK(first.at("code").get<std::string>() == b.code);
  }
  // None of the refused attempts changed anything.
  CHECK(Me(cli, there.access) == 200);
  CHECK(LiveSessions(server) == 2);

  auto anonymous = cli.Put("/api/v1/auth/password",
                           R"({"currentPassword":"Passw0rd1","newPassword":"N3wPassword"})",
                           "application/json");
  REQUIRE(anonymous);
  CHECK(anonymous->status == 401);

  auto ok = cli.Put("/api/v1/auth/password", Bearer(here.access),
                    R"({"currentPassword":"Passw0rd1","newPassword":"N3wPassword"})",
                    "application/json");
  REQUIRE(ok);
  CHECK(ok->status == 200);
  CHECK(Me(cli, here.access) == 200);
  CHECK(Me(cli, there.access) == 401);
  auto refresh = Refresh(cli, there.refresh);
  REQUIRE(refresh);
  CHECK(refresh->status == 401);
  auto old_password = cli.Post("/api/v1/auth/login",
                               R"({"email":"ada@example.com","password":"Passw0rd1"})",
                               "application/json");
  REQUIRE(old_password);
  CHECK(old_password->status == 401);
  Login(cli, "ada@example.com", "N3wPassword");
}
