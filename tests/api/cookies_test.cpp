// Token cookies over HTTP: what login sets (and COOKIE_SECURE and the cookie
// names change), the access cookie as a credential, and the CSRF check on
// cookie-authenticated changes, logout and refresh, with the hostile cases.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "accounts.h"
#include "harness.h"

using namespace cairn::test;

namespace {

const char kEvil[] = "http://evil.example";

std::vector<std::string> SetCookies(const httplib::Result& res) {
  std::vector<std::string> out;
  size_t n = res->get_header_value_count("Set-Cookie");
  for (size_t i = 0; i < n; ++i) out.push_back(res->get_header_value("Set-Cookie", "", i));
  return out;
}

// The Set-Cookie value for cookie `name`, or empty.
std::string SetCookieFor(const httplib::Result& res, const std::string& name) {
  for (const std::string& c : SetCookies(res)) {
    if (c.compare(0, name.size() + 1, name + "=") == 0) return c;
  }
  return {};
}

// The value a Set-Cookie line sets ("a=xyz; Path=/" -> "xyz").
std::string CookieValueOf(const std::string& set_cookie) {
  size_t eq = set_cookie.find('=');
  size_t semi = set_cookie.find(';');
  return set_cookie.substr(eq + 1, semi - eq - 1);
}

std::string OwnOrigin(const ServerProcess& server) {
  return "http://127.0.0.1:" + std::to_string(server.port());
}

httplib::Headers Cookie(const std::string& name, const std::string& value) {
  return {{"Cookie", name + "=" + value}};
}

httplib::Headers With(httplib::Headers h, const std::string& key, const std::string& value) {
  h.emplace(key, value);
  return h;
}

std::string FirstName(const ServerProcess& server, const Account& a) {
  return QueryText(server, "SELECT first_name FROM users WHERE id = '" + a.id + "'");
}

httplib::Result LoginRaw(httplib::Client& cli, const std::string& email) {
  auto res = PostJson(cli, "/api/v1/auth/login",
                      R"({"email":")" + email + R"(","password":")" + kPassword + R"("})");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  return res;
}

void Register(httplib::Client& cli, const std::string& email) {
  auto res = PostJson(cli, "/api/v1/auth/register",
                      R"({"email":")" + email + R"(","password":")" + kPassword +
                          R"(","firstName":"Test","lastName":"User","dateOfBirth":"1990-01-01"})");
  REQUIRE(res);
  REQUIRE(res->status == 201);
}

}  // namespace

TEST_CASE("login sets both token cookies HttpOnly and SameSite=Lax, without Secure by default") {
  ServerProcess server;
  auto cli = server.Client();
  Register(cli, "ada@example.com");
  auto res = LoginRaw(cli, "ada@example.com");
  auto body = JsonBody(res->body);
  std::string access = GetStr(body, "data.accessToken");
  std::string refresh = GetStr(body, "data.refreshToken");

  std::vector<std::string> cookies = SetCookies(res);
  CAPTURE(res->body);
  REQUIRE(cookies.size() == 2);
  CHECK(SetCookieFor(res, "access_token") ==
        "access_token=" + access + "; Path=/; Max-Age=900; HttpOnly; SameSite=Lax");
  CHECK(SetCookieFor(res, "refresh_token") == "refresh_token=" + refresh +
                                                  "; Path=/api/v1/auth; Max-Age=2592000; "
                                                  "HttpOnly; SameSite=Lax");
  for (const std::string& c : cookies) CHECK(c.find("Secure") == std::string::npos);

  // A refresh sets a new pair the same way.
  auto next = PostJson(cli, "/api/v1/auth/refresh", R"({"refreshToken":")" + refresh + "\"}");
  REQUIRE(next);
  REQUIRE(next->status == 200);
  auto next_body = JsonBody(next->body);
  CHECK(SetCookieFor(next, "access_token") ==
        "access_token=" + GetStr(next_body, "data.accessToken") +
            "; Path=/; Max-Age=900; HttpOnly; SameSite=Lax");
  CHECK(CookieValueOf(SetCookieFor(next, "refresh_token")) ==
        GetStr(next_body, "data.refreshToken"));
}

TEST_CASE("with COOKIE_SECURE=1 both token cookies are Secure") {
  ServerProcess::Options opts;
  opts.env["COOKIE_SECURE"] = "1";
  ServerProcess server(opts);
  auto cli = server.Client();
  Register(cli, "ada@example.com");
  auto res = LoginRaw(cli, "ada@example.com");
  std::vector<std::string> cookies = SetCookies(res);
  REQUIRE(cookies.size() == 2);
  std::string access = SetCookieFor(res, "access_token");
  std::string refresh = SetCookieFor(res, "refresh_token");
  CHECK(access.find("; Path=/; Max-Age=900; HttpOnly; SameSite=Lax; Secure") != std::string::npos);
  CHECK(refresh.find("; Path=/api/v1/auth; Max-Age=2592000; HttpOnly; SameSite=Lax; Secure") !=
        std::string::npos);
}

TEST_CASE("custom cookie names replace the defaults, and only the new names are read") {
  ServerProcess::Options opts;
  opts.env["ACCESS_COOKIE_NAME"] = "sid_a";
  opts.env["REFRESH_COOKIE_NAME"] = "sid_r";
  ServerProcess server(opts);
  auto cli = server.Client();
  Register(cli, "ada@example.com");
  auto res = LoginRaw(cli, "ada@example.com");
  auto body = JsonBody(res->body);
  std::string access = GetStr(body, "data.accessToken");
  std::string refresh = GetStr(body, "data.refreshToken");
  REQUIRE(SetCookies(res).size() == 2);
  CHECK(SetCookieFor(res, "sid_a") ==
        "sid_a=" + access + "; Path=/; Max-Age=900; HttpOnly; SameSite=Lax");
  CHECK(SetCookieFor(res, "sid_r").find("sid_r=" + refresh + "; Path=/api/v1/auth;") == 0);
  CHECK(SetCookieFor(res, "access_token").empty());
  CHECK(SetCookieFor(res, "refresh_token").empty());

  auto me = cli.Get("/api/v1/auth/me", Cookie("sid_a", access));
  REQUIRE(me);
  CHECK(me->status == 200);
  auto old_name = cli.Get("/api/v1/auth/me", Cookie("access_token", access));
  REQUIRE(old_name);
  CHECK(old_name->status == 401);
  CHECK(ErrorCode(old_name) == "unauthorized");

  // The old refresh cookie name is not read: no token, 422, nothing rotated.
  auto stale = cli.Post("/api/v1/auth/refresh",
                        With(Cookie("refresh_token", refresh), "Origin", OwnOrigin(server)), "",
                        "application/json");
  REQUIRE(stale);
  CHECK(stale->status == 422);
  CHECK(QueryInt(server, "SELECT count(*) FROM refresh_tokens WHERE rotated_at IS NOT NULL") == 0);
  auto renamed =
      cli.Post("/api/v1/auth/refresh", With(Cookie("sid_r", refresh), "Origin", OwnOrigin(server)),
               "", "application/json");
  REQUIRE(renamed);
  CHECK(renamed->status == 200);
  CHECK(!SetCookieFor(renamed, "sid_a").empty());
  CHECK(!SetCookieFor(renamed, "sid_r").empty());
}

TEST_CASE("the access cookie alone signs a request in, and a forged one is 401") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");

  auto me = cli.Get("/api/v1/auth/me", Cookie("access_token", ada.access));
  REQUIRE(me);
  CHECK(me->status == 200);
  CHECK(GetStr(JsonBody(me->body), "data.id") == ada.id);
  // Among other cookies, and quoted, it is still found.
  auto among = cli.Get("/api/v1/auth/me",
                       {{"Cookie", "theme=dark; access_token=\"" + ada.access + "\"; lang=nb"}});
  REQUIRE(among);
  CHECK(among->status == 200);

  size_t dot = ada.access.rfind('.');
  REQUIRE(dot != std::string::npos);
  std::string forged_sig = ada.access.substr(0, dot + 1) + std::string(43, 'A');
  // Same signature over a different payload (another subject).
  size_t first_dot = ada.access.find('.');
  std::string forged_payload = ada.access.substr(0, first_dot + 1) +
                               "eyJzdWIiOiJ1c3JfMDAwMDAwMDAwMDAwMDAwMCJ9" + ada.access.substr(dot);
  for (const std::string& token :
       {forged_sig, forged_payload, std::string("not-a-token"), ada.refresh}) {
    CAPTURE(token);
    auto res = cli.Get("/api/v1/auth/me", Cookie("access_token", token));
    REQUIRE(res);
    CHECK(res->status == 401);
    CHECK(ErrorCode(res) == "unauthorized");
    CHECK(res->body.find("ada@example.com") == std::string::npos);
  }
  // A bearer header is judged alone: a bad one is not rescued by a good cookie.
  httplib::Headers both = Cookie("access_token", ada.access);
  both.emplace("Authorization", "Bearer not-a-token");
  auto res = cli.Get("/api/v1/auth/me", both);
  REQUIRE(res);
  CHECK(res->status == 401);
}

TEST_CASE("a cookie-signed change from a foreign or unknown origin is refused: csrf_failed") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  const httplib::Headers cookie = Cookie("access_token", ada.access);
  const std::string own = OwnOrigin(server);
  const std::string other_port = "http://127.0.0.1:" + std::to_string(server.port() + 1);

  struct Case {
    const char* what;
    httplib::Headers headers;
  };
  const std::vector<Case> cases = {
      {"foreign Origin", With(cookie, "Origin", kEvil)},
      {"no Origin and no Referer", cookie},
      {"opaque Origin", With(cookie, "Origin", "null")},
      {"foreign Referer", With(cookie, "Referer", "http://evil.example/page")},
      {"opaque Origin with own Referer",
       With(With(cookie, "Origin", "null"), "Referer", own + "/console")},
      {"foreign Origin with own Referer",
       With(With(cookie, "Origin", kEvil), "Referer", own + "/console")},
      {"own host on another port", With(cookie, "Origin", other_port)},
      {"own host as a prefix", With(cookie, "Origin", own + ".evil.example")},
      {"allowed origin as a prefix", With(cookie, "Origin", "http://localhost:3000.evil.example")},
      {"Referer without a scheme",
       With(cookie, "Referer", "127.0.0.1:" + std::to_string(server.port()))},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    auto res = PatchJson(cli, "/api/v1/users/me", R"({"firstName":"Eve"})", c.headers);
    REQUIRE(res);
    CHECK(res->status == 403);
    CHECK(ErrorCode(res) == "csrf_failed");
    CHECK(FirstName(server, ada) == "Test");
  }
  CHECK(QueryInt(server, "SELECT count(*) FROM users WHERE first_name = 'Eve'") == 0);
}

TEST_CASE("a cookie-signed change from the own or an allowed origin goes through") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  const httplib::Headers cookie = Cookie("access_token", ada.access);

  struct Case {
    const char* what;
    httplib::Headers headers;
    const char* name;
  };
  const std::vector<Case> cases = {
      {"own Origin", With(cookie, "Origin", OwnOrigin(server)), "Eve"},
      {"allowed CORS Origin", With(cookie, "Origin", "http://localhost:3000"), "Ada"},
      {"Referer from an allowed origin",
       With(cookie, "Referer", "http://localhost:5173/settings?tab=1"), "Augusta"},
      {"Referer from the own origin", With(cookie, "Referer", OwnOrigin(server) + "/console"),
       "Byron"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    auto res = PatchJson(cli, "/api/v1/users/me", std::string(R"({"firstName":")") + c.name + "\"}",
                         c.headers);
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(FirstName(server, ada) == c.name);
  }
}

TEST_CASE("bearer-signed changes and cookie-signed reads need no trusted origin") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");

  auto bearer = PatchJson(cli, "/api/v1/users/me", R"({"firstName":"Eve"})",
                          With(Bearer(ada.access), "Origin", kEvil));
  REQUIRE(bearer);
  CHECK(bearer->status == 200);
  CHECK(FirstName(server, ada) == "Eve");

  for (const char* path : {"/api/v1/auth/me", "/api/v1/users/me", "/api/v1/auth/sessions"}) {
    CAPTURE(path);
    auto read = cli.Get(path, With(Cookie("access_token", ada.access), "Origin", kEvil));
    REQUIRE(read);
    CHECK(read->status == 200);
    // A foreign origin gets no CORS headers, so a browser would not show it the answer.
    CHECK(!read->has_header("Access-Control-Allow-Origin"));
  }
}

TEST_CASE("cookie logout needs a trusted origin, then clears both cookies and the session") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  const httplib::Headers cookie = Cookie("access_token", ada.access);
  const std::string live = "SELECT count(*) FROM sessions WHERE revoked_at IS NULL";
  REQUIRE(QueryInt(server, live) == 1);

  for (const httplib::Headers& h : {With(cookie, "Origin", kEvil), cookie}) {
    auto res = cli.Post("/api/v1/auth/logout", h, R"({"all":true})", "application/json");
    REQUIRE(res);
    CHECK(res->status == 403);
    CHECK(ErrorCode(res) == "csrf_failed");
    CHECK(!res->has_header("Set-Cookie"));
    CHECK(QueryInt(server, live) == 1);
  }
  auto still = cli.Get("/api/v1/auth/me", cookie);
  REQUIRE(still);
  CHECK(still->status == 200);

  auto res = cli.Post("/api/v1/auth/logout", With(cookie, "Origin", OwnOrigin(server)), "",
                      "application/json");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(SetCookies(res).size() == 2);
  CHECK(SetCookieFor(res, "access_token") ==
        "access_token=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
  CHECK(SetCookieFor(res, "refresh_token") ==
        "refresh_token=; Path=/api/v1/auth; Max-Age=0; HttpOnly; SameSite=Lax");
  CHECK(QueryInt(server, live) == 0);

  auto after = cli.Get("/api/v1/auth/me", cookie);
  REQUIRE(after);
  CHECK(after->status == 401);
  CHECK(ErrorCode(after) == "unauthorized");
  auto refresh =
      PostJson(cli, "/api/v1/auth/refresh", R"({"refreshToken":")" + ada.refresh + "\"}");
  REQUIRE(refresh);
  CHECK(refresh->status == 401);
}

TEST_CASE("refresh by cookie needs a trusted origin; a refresh token in the body does not") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  const std::string own = OwnOrigin(server);
  const std::string rows = "SELECT count(*) FROM refresh_tokens";
  const std::string rotated = "SELECT count(*) FROM refresh_tokens WHERE rotated_at IS NOT NULL";
  const std::string rotated_sum = "SELECT coalesce(sum(rotated_at), 0) FROM refresh_tokens";

  // From a foreign or unknown origin the cookie is refused, and nothing rotates.
  const httplib::Headers cookie = Cookie("refresh_token", ada.refresh);
  REQUIRE(QueryInt(server, rows) == 1);
  for (const httplib::Headers& h :
       {With(cookie, "Origin", kEvil), cookie, With(cookie, "Origin", "null"),
        With(cookie, "Referer", "http://evil.example/page")}) {
    auto res = cli.Post("/api/v1/auth/refresh", h, "", "application/json");
    REQUIRE(res);
    CHECK(res->status == 403);
    CHECK(ErrorCode(res) == "csrf_failed");
    CHECK(!res->has_header("Set-Cookie"));
    CHECK(res->body.find("accessToken") == std::string::npos);
    CHECK(QueryInt(server, rows) == 1);
    CHECK(QueryInt(server, rotated) == 0);
    CHECK(QueryInt(server, rotated_sum) == 0);
  }

  // From the own origin, with no body at all, the cookie rotates.
  auto res = cli.Post("/api/v1/auth/refresh", With(cookie, "Origin", own), "", "application/json");
  REQUIRE(res);
  CHECK(res->status == 200);
  auto body = JsonBody(res->body);
  std::string access = GetStr(body, "data.accessToken");
  std::string refresh = GetStr(body, "data.refreshToken");
  CHECK(refresh != ada.refresh);
  CHECK(CookieValueOf(SetCookieFor(res, "access_token")) == access);
  CHECK(CookieValueOf(SetCookieFor(res, "refresh_token")) == refresh);
  CHECK(QueryInt(server, rows) == 2);
  CHECK(QueryInt(server, rotated) == 1);
  auto me = cli.Get("/api/v1/auth/me", Cookie("access_token", access));
  REQUIRE(me);
  CHECK(me->status == 200);

  // A token in the body is never sent by a browser on its own: no origin needed.
  auto by_body = PostJson(cli, "/api/v1/auth/refresh", R"({"refreshToken":")" + refresh + "\"}",
                          {{"Origin", kEvil}});
  REQUIRE(by_body);
  CHECK(by_body->status == 200);
  CHECK(QueryInt(server, rotated) == 2);

  // No token anywhere: 422, and nothing changes.
  for (const std::string& payload : {std::string(""), std::string("{}")}) {
    CAPTURE(payload);
    auto none = cli.Post("/api/v1/auth/refresh", {{"Origin", own}}, payload, "application/json");
    REQUIRE(none);
    CHECK(none->status == 422);
    CHECK(ErrorCode(none) == "validation_error");
  }
  CHECK(QueryInt(server, rows) == 3);
  CHECK(QueryInt(server, rotated) == 2);
}
