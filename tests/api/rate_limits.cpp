#include "rate_limits.h"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <sstream>
#include <thread>

#include "accounts.h"

namespace cairn::test {

ServerProcess::Options Limited(const std::map<std::string, std::string>& env) {
  ServerProcess::Options opts;
  opts.env = env;
  opts.env["RATE_LIMIT_ENABLED"] = "1";
  return opts;
}

int64_t HeaderInt(const httplib::Result& res, const char* name) {
  REQUIRE(res->has_header(name));
  return std::atoll(res->get_header_value(name).c_str());
}

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

httplib::Headers Forwarded(const std::string& xff) { return {{"X-Forwarded-For", xff}}; }

int GetStatus(httplib::Client& cli, const std::string& path, const httplib::Headers& headers) {
  auto res = cli.Get(path, headers);
  REQUIRE(res);
  return res->status;
}

void CheckRefusal(const httplib::Result& res) {
  REQUIRE(res);
  REQUIRE(res->status == 429);
  INFO(res->body);
  auto o = JsonBody(res->body);
  CHECK(Get(o, "success").is<bool>());
  CHECK(Get(o, "success").evaluate_as_boolean() == false);
  CHECK(GetStr(o, "error.code") == "rate_limited");
  CHECK(!GetStr(o, "error.message").empty());
  CHECK(!GetStr(o, "error.requestId").empty());
  CHECK(GetStr(o, "error.requestId") == res->get_header_value("X-Request-ID"));
  int64_t retry = HeaderInt(res, "Retry-After");
  CHECK(retry >= 1);
  REQUIRE(Get(o, "error.details.retryAfter").is<int64_t>());
  CHECK(Get(o, "error.details.retryAfter").get<int64_t>() == retry);
  CHECK(HeaderInt(res, "X-RateLimit-Remaining") == 0);
}

void CheckUnlimited(const httplib::Result& res) {
  REQUIRE(res);
  CHECK(res->status == 200);
  for (const char* h : {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset",
                        "RateLimit-Policy", "RateLimit", "Retry-After"}) {
    INFO(h);
    CHECK_FALSE(res->has_header(h));
  }
}

void CreateUser(const ServerProcess& server, const std::string& email,
                const std::string& role) {
  CliResult r = RunCli({"user", "create", "--db", server.db_path(), "--email", email, "--password",
                        kPassword, "--role", role});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

std::string LoginBody(const std::string& email, const std::string& password) {
  return R"({"email":")" + email + R"(","password":")" + password + R"("})";
}

void Spend(httplib::Client& cli, int n, const std::string& path,
           const httplib::Headers& headers) {
  for (int i = 0; i < n; ++i) {
    auto res = cli.Get(path, headers);
    REQUIRE(res);
    INFO("request " << i + 1 << ": " << res->body);
    REQUIRE(res->status == 200);
  }
}

std::vector<picojson::object> LogEvents(const ServerProcess& server, const std::string& event) {
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  std::vector<picojson::object> out;
  std::stringstream ss(server.Stdout());
  std::string line;
  while (std::getline(ss, line)) {
    if (line.find("\"event\":\"" + event + "\"") == std::string::npos) continue;
    auto o = JsonBody(line);
    if (GetStr(o, "event") == event) out.push_back(o);
  }
  return out;
}

}  // namespace cairn::test
