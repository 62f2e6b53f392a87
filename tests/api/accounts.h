#pragma once

// Accounts for API tests: register, sign in, make an admin through the
// command line, and read the database directly to check what a refused
// request left behind. Each helper fails the calling test (REQUIRE) when a
// step that is not under test goes wrong.

#include <map>
#include <string>

#include "harness.h"
#include "http/httplib_config.h"

namespace cairn::test {

inline constexpr char kPassword[] = "Passw0rd1";

struct Account {
  std::string id;
  std::string email;
  std::string password;
  std::string access;   // access token
  std::string refresh;  // refresh token
};

httplib::Result PostJson(httplib::Client& cli, const std::string& path, const std::string& body,
                         const httplib::Headers& headers = {});
httplib::Result PatchJson(httplib::Client& cli, const std::string& path, const std::string& body,
                          const httplib::Headers& headers = {});
httplib::Headers Bearer(const std::string& access);

// Registers email (first name Test, born 1990-01-01) and signs in.
Account RegisterAndLogin(httplib::Client& cli, const std::string& email,
                         const std::string& password = kPassword);
// Signs in an existing account.
Account Login(httplib::Client& cli, const std::string& email,
              const std::string& password = kPassword);
// Creates an account with `cairn user create --role role` on the server's
// database, then signs in.
Account CreateWithCli(const ServerProcess& server, httplib::Client& cli, const std::string& email,
                      const std::string& role, const std::string& password = kPassword);

// A POST /users or register body: the given names, born 1980-02-03, and
// "role": role_json when that is not empty (raw JSON, so tests can send any
// type).
std::string NewUserBody(const std::string& email, const std::string& first, const std::string& last,
                        const std::string& role_json);
// POST /api/v1/users as admin; returns the new id.
std::string AdminCreate(httplib::Client& cli, const Account& admin, const std::string& email,
                        const std::string& first, const std::string& last, const std::string& role);

// One integer from the server's database (opened read-only), e.g.
// "SELECT count(*) FROM api_keys".
long long QueryInt(const ServerProcess& server, const std::string& sql);
std::string QueryText(const ServerProcess& server, const std::string& sql);
// Runs sql on the server's database opened read-write (WAL lets the server
// keep running), waiting up to 5 s for its write lock.
void ExecSql(const ServerProcess& server, const std::string& sql);

// Accounts in the database, deleted ones included.
long long UserCount(const ServerProcess& server);
// Everything an edit of account `id` could touch, as one comparable string.
std::string UserRow(const ServerProcess& server, const std::string& id);
// A validation error's error.details as field -> code.
std::map<std::string, std::string> DetailCodes(const picojson::object& body);

}  // namespace cairn::test
