// Accounts over HTTP: register, login and bearer authentication, with the
// hostile cases, each checking that a refused request changed nothing.

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

#include <string>

#include "auth/jwt.h"
#include "harness.h"
#include "util/base64url.h"

using namespace cairn::test;

namespace {

const char kAda[] =
    R"({"email":"Ada@Example.com","password":"Passw0rd1","firstName":"Ada","lastName":"Lovelace",)"
    R"("dateOfBirth":"1990-04-30","phone":"+4712345678","role":"admin","isAdmin":true})";

int Count(const ServerProcess& server, const char* table) {
  SQLite::Database db(server.db_path(), SQLite::OPEN_READONLY);
  return db.execAndGet(std::string("SELECT count(*) FROM ") + table).getInt();
}

httplib::Result PostJson(httplib::Client& cli, const char* path, const std::string& body) {
  return cli.Post(path, body, "application/json");
}

std::string Secret(const ServerProcess& server) {
  std::string s = ReadFile(server.db_path() + ".secret");
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

// Logs Ada in (registering her first) and returns the login's data.
picojson::object LoginAda(httplib::Client& cli) {
  auto reg = PostJson(cli, "/api/v1/auth/register", kAda);
  REQUIRE(reg);
  REQUIRE(reg->status == 201);
  auto res = PostJson(cli, "/api/v1/auth/login",
                      R"({"email":"ada@example.com","password":"Passw0rd1"})");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  return Get(JsonBody(res->body), "data").get<picojson::object>();
}

int MeStatus(httplib::Client& cli, const std::string& authorization, std::string* code = nullptr) {
  auto res = cli.Get("/api/v1/auth/me", {{"Authorization", authorization}});
  REQUIRE(res);
  if (code != nullptr) *code = GetStr(JsonBody(res->body), "error.code");
  return res->status;
}

}  // namespace

TEST_CASE("register creates a user with role user, lowercased email, and ignores unknown fields") {
  ServerProcess server;
  auto cli = server.Client();
  auto res = PostJson(cli, "/api/v1/auth/register", kAda);
  REQUIRE(res);
  CHECK(res->status == 201);
  auto body = JsonBody(res->body);
  CHECK(GetStr(body, "data.email") == "ada@example.com");
  CHECK(GetStr(body, "data.role") == "user");
  CHECK(GetStr(body, "data.kycStatus") == "pending");
  CHECK(GetStr(body, "data.phone") == "+4712345678");
  CHECK(GetStr(body, "data.id").rfind("usr_", 0) == 0);
  CHECK(res->body.find("password") == std::string::npos);
  CHECK(res->body.find("isAdmin") == std::string::npos);
  SQLite::Database db(server.db_path(), SQLite::OPEN_READONLY);
  CHECK(db.execAndGet("SELECT role FROM users").getString() == "user");
  CHECK(db.execAndGet("SELECT password_hash FROM users").getString().rfind("$argon2id$", 0) == 0);
}

TEST_CASE("a second registration of the same email, in any case, is 409 and stores nothing") {
  ServerProcess server;
  auto cli = server.Client();
  REQUIRE(PostJson(cli, "/api/v1/auth/register", kAda)->status == 201);
  std::string again = kAda;
  again.replace(again.find("Ada@Example.com"), 15, "ADA@EXAMPLE.COM");
  auto res = PostJson(cli, "/api/v1/auth/register", again);
  REQUIRE(res);
  CHECK(res->status == 409);
  CHECK(GetStr(JsonBody(res->body), "error.code") == "conflict");
  CHECK(Count(server, "users") == 1);
}

TEST_CASE("invalid registrations are 422 with every failing field, and store nothing") {
  ServerProcess server;
  auto cli = server.Client();
  auto res = PostJson(cli, "/api/v1/auth/register",
                      R"({"email":"not-an-email","password":"short","firstName":"<script>",)"
                      R"("dateOfBirth":"2015-01-01"})");
  REQUIRE(res);
  CHECK(res->status == 422);
  auto body = JsonBody(res->body);
  CHECK(GetStr(body, "error.code") == "validation_error");
  std::string fields;
  picojson::value details = Get(body, "error.details");
  REQUIRE(details.is<picojson::array>());
  for (const auto& d : details.get<picojson::array>()) {
    fields += d.get<picojson::object>().at("field").get<std::string>() + ",";
  }
  CHECK(fields == "email,password,firstName,lastName,dateOfBirth,");

  std::string long_password = kAda;
  long_password.replace(long_password.find("Passw0rd1"), 9, std::string(129, 'a') + "1");
  res = PostJson(cli, "/api/v1/auth/register", long_password);
  REQUIRE(res);
  CHECK(res->status == 422);
  CHECK(Count(server, "users") == 0);
}

TEST_CASE("login returns a bearer access token and a refresh token, and creates a session") {
  ServerProcess server;
  auto cli = server.Client();
  picojson::object data = LoginAda(cli);
  CHECK(data.at("tokenType").get<std::string>() == "Bearer");
  CHECK(data.at("expiresIn").get<int64_t>() == 900);
  std::string access = data.at("accessToken").get<std::string>();
  std::string refresh = data.at("refreshToken").get<std::string>();
  CHECK(refresh.size() == 43);  // 256 bits, base64url
  CHECK(Count(server, "sessions") == 1);
  {
    SQLite::Database db(server.db_path(), SQLite::OPEN_READONLY);
    // The refresh token is stored only as its hash.
    std::string stored = db.execAndGet("SELECT token_hash FROM refresh_tokens").getString();
    CHECK(stored != refresh);
    CHECK(stored.size() == 64);
  }
  // The access token is a JWT signed with the server's secret.
  auto claims = cairn::auth::VerifyToken(access, Secret(server), "cairn", time(nullptr));
  REQUIRE(claims.ok());
  CHECK(claims->email == "ada@example.com");
  CHECK(claims->role == "user");
  CHECK(claims->sid.rfind("ses_", 0) == 0);
  CHECK(claims->exp - claims->iat == 900);

  auto me = cli.Get("/api/v1/auth/me", {{"Authorization", "Bearer " + access}});
  REQUIRE(me);
  CHECK(me->status == 200);
  CHECK(GetStr(JsonBody(me->body), "data.email") == "ada@example.com");
  // The scheme is case-insensitive.
  CHECK(MeStatus(cli, "bearer " + access) == 200);
}

TEST_CASE("a wrong password and an unknown email get the same 401, and no session") {
  ServerProcess server;
  auto cli = server.Client();
  REQUIRE(PostJson(cli, "/api/v1/auth/register", kAda)->status == 201);
  auto wrong = PostJson(cli, "/api/v1/auth/login",
                        R"({"email":"ada@example.com","password":"Wrong1234"})");
  auto unknown = PostJson(cli, "/api/v1/auth/login",
                          R"({"email":"nobody@example.com","password":"Passw0rd1"})");
  REQUIRE(wrong);
  REQUIRE(unknown);
  CHECK(wrong->status == 401);
  CHECK(unknown->status == 401);
  auto w = JsonBody(wrong->body);
  auto u = JsonBody(unknown->body);
  CHECK(GetStr(w, "error.code") == "unauthorized");
  CHECK(GetStr(w, "error.message") == GetStr(u, "error.message"));
  CHECK(Count(server, "sessions") == 0);

  auto missing = PostJson(cli, "/api/v1/auth/login", R"({"email":"ada@example.com"})");
  REQUIRE(missing);
  CHECK(missing->status == 422);
  auto huge = PostJson(cli, "/api/v1/auth/login",
                       R"({"email":"ada@example.com","password":")" + std::string(200, 'a') + "\"}");
  REQUIRE(huge);
  CHECK(huge->status == 422);
  CHECK(Count(server, "sessions") == 0);
}

TEST_CASE("me refuses missing, malformed, forged, alg-confused, expired and orphaned tokens") {
  ServerProcess server;
  auto cli = server.Client();
  picojson::object data = LoginAda(cli);
  std::string access = data.at("accessToken").get<std::string>();
  std::string secret = Secret(server);
  auto claims = cairn::auth::VerifyToken(access, secret, "cairn", time(nullptr)).value();

  auto res = cli.Get("/api/v1/auth/me");
  REQUIRE(res);
  CHECK(res->status == 401);
  CHECK(res->get_header_value("WWW-Authenticate") == "Bearer realm=\"cairn\"");

  CHECK(MeStatus(cli, "Basic YWRhOnBhc3M=") == 401);
  CHECK(MeStatus(cli, "Bearer") == 401);
  CHECK(MeStatus(cli, "Bearer not.a.token") == 401);
  CHECK(MeStatus(cli, "Bearer " + access.substr(0, access.size() - 2)) == 401);
  CHECK(MeStatus(cli, "Bearer " + std::string(5000, 'a')) == 401);
  CHECK(MeStatus(cli, "Bearer " + cairn::auth::SignToken(claims, std::string(32, 'x'))) == 401);

  std::string payload = access.substr(access.find('.') + 1);
  payload = payload.substr(0, payload.find('.'));
  std::string none = cairn::Base64UrlEncode(R"({"alg":"none","typ":"JWT"})") + "." + payload + ".";
  CHECK(MeStatus(cli, "Bearer " + none) == 401);

  cairn::auth::AccessClaims expired = claims;
  expired.iat -= 3600;
  expired.exp = expired.iat + 900;
  std::string code;
  CHECK(MeStatus(cli, "Bearer " + cairn::auth::SignToken(expired, secret), &code) == 401);
  CHECK(code == "token_expired");

  cairn::auth::AccessClaims wrong_issuer = claims;
  wrong_issuer.iss = "elsewhere";
  CHECK(MeStatus(cli, "Bearer " + cairn::auth::SignToken(wrong_issuer, secret)) == 401);

  cairn::auth::AccessClaims ghost = claims;
  ghost.sub = "usr_0000000000000000";
  CHECK(MeStatus(cli, "Bearer " + cairn::auth::SignToken(ghost, secret)) == 401);

  CHECK(MeStatus(cli, "Bearer " + access) == 200);  // the real one still works
}

TEST_CASE("five wrong passwords lock the account: 423 with Retry-After, even for the right one") {
  ServerProcess server;
  auto cli = server.Client();
  REQUIRE(PostJson(cli, "/api/v1/auth/register", kAda)->status == 201);
  const std::string wrong = R"({"email":"ada@example.com","password":"Wrong1234"})";
  const std::string right = R"({"email":"ada@example.com","password":"Passw0rd1"})";
  for (int i = 0; i < 4; ++i) {
    auto res = PostJson(cli, "/api/v1/auth/login", wrong);
    REQUIRE(res);
    CHECK(res->status == 401);
  }
  auto fifth = PostJson(cli, "/api/v1/auth/login", wrong);
  REQUIRE(fifth);
  CHECK(fifth->status == 423);
  auto body = JsonBody(fifth->body);
  CHECK(GetStr(body, "error.code") == "account_locked");
  int retry = std::stoi(fifth->get_header_value("Retry-After"));
  CHECK(retry > 800);
  CHECK(retry <= 900);
  CHECK(Get(body, "error.details.retryAfter").get<int64_t>() == retry);

  auto correct = PostJson(cli, "/api/v1/auth/login", right);
  REQUIRE(correct);
  CHECK(correct->status == 423);
  CHECK(Count(server, "sessions") == 0);

  // Once the lock has run out (moved into the past here), the right password
  // works and the count starts again from zero.
  {
    SQLite::Database db(server.db_path(), SQLite::OPEN_READWRITE);
    db.exec("UPDATE users SET locked_until = locked_until - 1000");
  }
  auto after = PostJson(cli, "/api/v1/auth/login", right);
  REQUIRE(after);
  CHECK(after->status == 200);
  SQLite::Database db(server.db_path(), SQLite::OPEN_READONLY);
  CHECK(db.execAndGet("SELECT failed_logins FROM users").getInt() == 0);
  CHECK(db.execAndGet("SELECT locked_until IS NULL FROM users").getInt() == 1);
}

TEST_CASE("a successful sign-in resets the failure count") {
  ServerProcess server;
  auto cli = server.Client();
  REQUIRE(PostJson(cli, "/api/v1/auth/register", kAda)->status == 201);
  const std::string wrong = R"({"email":"ada@example.com","password":"Wrong1234"})";
  const std::string right = R"({"email":"ada@example.com","password":"Passw0rd1"})";
  for (int i = 0; i < 4; ++i) REQUIRE(PostJson(cli, "/api/v1/auth/login", wrong)->status == 401);
  REQUIRE(PostJson(cli, "/api/v1/auth/login", right)->status == 200);
  for (int i = 0; i < 4; ++i) CHECK(PostJson(cli, "/api/v1/auth/login", wrong)->status == 401);
  CHECK(PostJson(cli, "/api/v1/auth/login", right)->status == 200);
}
