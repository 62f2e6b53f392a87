#include "accounts.h"

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

namespace cairn::test {

httplib::Result PostJson(httplib::Client& cli, const std::string& path, const std::string& body,
                         const httplib::Headers& headers) {
  return cli.Post(path, headers, body, "application/json");
}

httplib::Result PatchJson(httplib::Client& cli, const std::string& path, const std::string& body,
                          const httplib::Headers& headers) {
  return cli.Patch(path, headers, body, "application/json");
}

httplib::Headers Bearer(const std::string& access) {
  return {{"Authorization", "Bearer " + access}};
}

Account Login(httplib::Client& cli, const std::string& email, const std::string& password) {
  auto res = PostJson(cli, "/api/v1/auth/login",
                      R"({"email":")" + email + R"(","password":")" + password + R"("})");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  picojson::object body = JsonBody(res->body);
  Account a;
  a.id = GetStr(body, "data.user.id");
  a.email = email;
  a.password = password;
  a.access = GetStr(body, "data.accessToken");
  a.refresh = GetStr(body, "data.refreshToken");
  return a;
}

Account RegisterAndLogin(httplib::Client& cli, const std::string& email,
                         const std::string& password) {
  auto res = PostJson(cli, "/api/v1/auth/register",
                      R"({"email":")" + email + R"(","password":")" + password +
                          R"(","firstName":"Test","lastName":"User","dateOfBirth":"1990-01-01"})");
  REQUIRE(res);
  REQUIRE(res->status == 201);
  return Login(cli, email, password);
}

Account CreateWithCli(const ServerProcess& server, httplib::Client& cli, const std::string& email,
                      const std::string& role, const std::string& password) {
  CliResult r = RunCli({"user", "create", "--db", server.db_path(), "--email", email, "--password",
                        password, "--role", role});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return Login(cli, email, password);
}

std::string NewUserBody(const std::string& email, const std::string& first, const std::string& last,
                        const std::string& role_json) {
  std::string body = R"({"email":")" + email + R"(","password":")" + kPassword +
                     R"(","firstName":")" + first + R"(","lastName":")" + last +
                     R"(","dateOfBirth":"1980-02-03")";
  if (!role_json.empty()) body += R"(,"role":)" + role_json;
  return body + "}";
}

std::string AdminCreate(httplib::Client& cli, const Account& admin, const std::string& email,
                        const std::string& first, const std::string& last,
                        const std::string& role) {
  auto res = PostJson(cli, "/api/v1/users", NewUserBody(email, first, last, "\"" + role + "\""),
                      Bearer(admin.access));
  REQUIRE(res);
  INFO(res->body);
  REQUIRE(res->status == 201);
  return GetStr(JsonBody(res->body), "data.id");
}

long long QueryInt(const ServerProcess& server, const std::string& sql) {
  SQLite::Database db(server.db_path(), SQLite::OPEN_READONLY);
  return db.execAndGet(sql).getInt64();
}

std::string QueryText(const ServerProcess& server, const std::string& sql) {
  SQLite::Database db(server.db_path(), SQLite::OPEN_READONLY);
  SQLite::Column c = db.execAndGet(sql);
  return c.isNull() ? std::string() : c.getString();
}

void ExecSql(const ServerProcess& server, const std::string& sql) {
  SQLite::Database db(server.db_path(), SQLite::OPEN_READWRITE);
  db.setBusyTimeout(5000);
  db.exec(sql);
}

long long UserCount(const ServerProcess& server) {
  return QueryInt(server, "SELECT count(*) FROM users");
}

std::string UserRow(const ServerProcess& server, const std::string& id) {
  return QueryText(server,
                   "SELECT email || '|' || password_hash || '|' || first_name || '|' || "
                   "last_name || '|' || coalesce(phone, '<null>') || '|' || date_of_birth || "
                   "'|' || role || '|' || kyc_status || '|' || status || '|' || "
                   "coalesce(deleted_at, '') || '|' || updated_at FROM users WHERE id = '" +
                       id + "'");
}

std::map<std::string, std::string> DetailCodes(const picojson::object& body) {
  std::map<std::string, std::string> out;
  picojson::value details = Get(body, "error.details");
  if (!details.is<picojson::array>()) return out;
  for (const picojson::value& d : details.get<picojson::array>()) {
    const auto& o = d.get<picojson::object>();
    out[o.at("field").get<std::string>()] = o.at("code").get<std::string>();
  }
  return out;
}

}  // namespace cairn::test
