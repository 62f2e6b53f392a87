#include "domain_setup.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <doctest/doctest.h>

#include <cmath>
#include <ctime>
#include <thread>

namespace cairn::test {

std::string LinkDnbAccount(httplib::Client& cli, const Account& who, const std::string& balance) {
  auto res = PostJson(cli, "/api/v1/bank-accounts",
                      R"({"bankName":"DNB","initialBalance":)" + balance + "}", Bearer(who.access));
  return GetStr(DataOf(res, 201), "id");
}

httplib::Result RegisterBusiness(httplib::Client& cli, const Account& who,
                                 const std::string& body) {
  return PostJson(cli, "/api/v1/merchants/register", body, Bearer(who.access));
}

std::string BusinessBody(const std::string& name, const std::string& org_number,
                         const std::string& extra) {
  return R"({"businessName":")" + name + R"(","orgNumber":")" + org_number +
         R"(","bankAccount":"8601.11.17947")" + extra + "}";
}

Account BecomeMerchant(httplib::Client& cli, const Account& who, const std::string& name,
                       const std::string& org_number, std::string* merchant_id) {
  auto res = RegisterBusiness(cli, who, BusinessBody(name, org_number));
  *merchant_id = GetStr(DataOf(res, 201), "id");
  return Refreshed(cli, who);
}

Account Refreshed(httplib::Client& cli, const Account& who) {
  auto res = PostJson(cli, "/api/v1/auth/refresh", R"({"refreshToken":")" + who.refresh + "\"}");
  picojson::object data = DataOf(res, 200);
  Account a = who;
  a.access = GetStr(data, "accessToken");
  a.refresh = GetStr(data, "refreshToken");
  REQUIRE(!a.access.empty());
  return a;
}

bool LooksLikeUtc(const std::string& s) {
  return s.size() == 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' &&
         s[19] == 'Z';
}

std::string UtcText(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string TableRows(const ServerProcess& server, const std::string& table) {
  SQLite::Database db(server.db_path(), SQLite::OPEN_READONLY);
  db.setBusyTimeout(5000);
  SQLite::Statement q(db, "SELECT * FROM " + table + " ORDER BY rowid");
  std::string out;
  while (q.executeStep()) {
    for (int i = 0; i < q.getColumnCount(); ++i) {
      SQLite::Column c = q.getColumn(i);
      out += c.isNull() ? std::string("<null>") : c.getString();
      out += '|';
    }
    out += '\n';
  }
  return out;
}

void WriteSql(const ServerProcess& server, const std::string& sql) {
  SQLite::Database db(server.db_path(), SQLite::OPEN_READWRITE);
  db.setBusyTimeout(5000);
  db.exec(sql);
}

std::string EventRows(const ServerProcess& server) {
  return QueryText(server,
                   "SELECT coalesce(group_concat(seq || '|' || id || '|' || user_id || '|' || "
                   "type || '|' || data || '|' || created_at, char(10)), '') FROM "
                   "(SELECT * FROM events ORDER BY seq)");
}

picojson::array AwaitNotifications(httplib::Client& cli, const Account& who, size_t count,
                                   std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  picojson::array items;
  for (;;) {
    auto res = cli.Get("/api/v1/notifications?pageSize=100", Bearer(who.access));
    REQUIRE(res);
    INFO(res->body);
    REQUIRE(res->status == 200);
    picojson::value data = Get(JsonBody(res->body), "data");
    REQUIRE(data.is<picojson::array>());
    items = data.get<picojson::array>();
    if (items.size() >= count || std::chrono::steady_clock::now() >= deadline) return items;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace cairn::test
