// Merchants over HTTP: registering makes the account a merchant (for tokens
// issued after it), a second registration, a taken org number and an admin
// are refused without a write, bad fields are all named, the dashboard sums
// completed QR payments per period, and the payments list never names the
// payer beyond "Ada L.".

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <map>
#include <string>
#include <vector>

#include "accounts.h"
#include "domain_setup.h"
#include "harness.h"
#include "lists.h"

using namespace cairn::test;

namespace {

constexpr char kDashboard[] = "/api/v1/merchants/dashboard";
constexpr char kQr[] = "/api/v1/merchants/qr";
constexpr char kPayments[] = "/api/v1/merchants/transactions";
constexpr int64_t kDay = 86400;

// Everything a registration may write, users included.
std::string Written(const ServerProcess& server) {
  return TableRows(server, "merchants") + "#" + EventRows(server) + "#" +
         TableRows(server, "users");
}

// Pays merchant_id amount (raw JSON) from who's primary account; returns the
// transaction id.
std::string PayMerchant(httplib::Client& cli, const Account& who, const std::string& merchant_id,
                        const std::string& amount) {
  auto res = PostJson(cli, "/api/v1/transactions/qr-payment",
                      R"({"merchantId":")" + merchant_id + R"(","amount":)" + amount + "}",
                      Bearer(who.access));
  picojson::object data = DataOf(res, 201);
  REQUIRE(GetStr(data, "status") == "completed");
  return GetStr(data, "id");
}

picojson::object Dashboard(httplib::Client& cli, const Account& who, const std::string& period) {
  auto res = cli.Get(std::string(kDashboard) + "?period=" + period, Bearer(who.access));
  return DataOf(res, 200);
}

int StatusOf(httplib::Client& cli, const std::string& path, const httplib::Headers& headers) {
  auto res = cli.Get(path, headers);
  REQUIRE(res);
  return res->status;
}

int64_t StartOfMonth(int64_t now) {
  std::time_t t = static_cast<std::time_t>(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return now - (now % kDay) - static_cast<int64_t>(tm.tm_mday - 1) * kDay;
}

}  // namespace

TEST_CASE("registering a business makes the account a merchant once its token is refreshed") {
  ServerProcess server;
  auto cli = server.Client();
  Account bob = RegisterAndLogin(cli, "bob@example.com");

  auto res = RegisterBusiness(
      cli, bob, BusinessBody("Ahmetov Kebab", "123456789", R"(,"address":"Storgata 1, Oslo")"));
  picojson::object data = DataOf(res, 201);
  std::string id = GetStr(data, "id");
  CHECK(IsHexId(id, "mer_"));
  CHECK(GetStr(data, "businessName") == "Ahmetov Kebab");
  CHECK(GetStr(data, "orgNumber") == "123456789");
  CHECK(GetStr(data, "address") == "Storgata 1, Oslo");
  CHECK(GetStr(data, "qrValue") == "cairn://pay/" + id);
  CHECK(LooksLikeUtc(GetStr(data, "createdAt")));
  CHECK(res->body.find("bankAccount") == std::string::npos);

  CHECK(QueryText(server, "SELECT role FROM users WHERE id = '" + bob.id + "'") == "merchant");
  CHECK(QueryText(server, "SELECT user_id FROM merchants WHERE id = '" + id + "'") == bob.id);
  CHECK(QueryText(server, "SELECT bank_account FROM merchants WHERE id = '" + id + "'") ==
        "86011117947");
  CHECK(QueryInt(server,
                 "SELECT count(*) FROM events WHERE type = 'merchant.registered' AND "
                 "user_id = '" +
                     bob.id + "' AND data LIKE '%" + id + "%'") == 1);

  // The access token in hand was issued to a user.
  auto stale = cli.Get(kDashboard, Bearer(bob.access));
  REQUIRE(stale);
  CHECK(stale->status == 403);
  CHECK(ErrorCode(stale) == "forbidden");

  Account merchant = Refreshed(cli, bob);
  picojson::object today = Dashboard(cli, merchant, "today");
  CHECK(GetStr(today, "period") == "today");
  CHECK(Minor(today, "revenue") == 0);
  CHECK(Get(today, "transactionCount").get<int64_t>() == 0);

  auto qr = cli.Get(kQr, Bearer(merchant.access));
  picojson::object q = DataOf(qr, 200);
  CHECK(GetStr(q, "merchantId") == id);
  CHECK(GetStr(q, "businessName") == "Ahmetov Kebab");
  CHECK(GetStr(q, "qrValue") == "cairn://pay/" + id);
  CHECK(GetStr(q, "address") == "Storgata 1, Oslo");

  // Without an address (null is one left out), there is none in the answer; 300 characters are
  // still an address; dots in the account number are optional.
  Account cem = RegisterAndLogin(cli, "cem@example.com");
  auto plain = RegisterBusiness(cli, cem,
                                R"({"businessName":"Cem Frisør","orgNumber":"987654321",)"
                                R"("bankAccount":"86011117947","address":null})");
  CHECK(DataOf(plain, 201).count("address") == 0);
  Account dag = RegisterAndLogin(cli, "dag@example.com");
  auto longest = RegisterBusiness(
      cli, dag,
      BusinessBody("Dag Bakeri", "111222333", R"(,"address":")" + std::string(300, 'a') + "\""));
  CHECK(GetStr(DataOf(longest, 201), "address") == std::string(300, 'a'));
}

TEST_CASE("a second registration, a taken org number and an admin are 409 and change nothing") {
  ServerProcess server;
  auto cli = server.Client();
  Account bob = RegisterAndLogin(cli, "bob@example.com");
  Account carol = RegisterAndLogin(cli, "carol@example.com");
  Account root = CreateWithCli(server, cli, "root@example.com", "admin");
  std::string bob_merchant;
  Account bob_m = BecomeMerchant(cli, bob, "Ahmetov Kebab", "123456789", &bob_merchant);
  const std::string before = Written(server);

  struct Refused {
    const Account* who;
    std::string body;
  };
  const std::vector<Refused> refused = {
      {&bob, BusinessBody("Ahmetov Kebab", "123456789")},  // stale token, same business
      {&bob_m, BusinessBody("Second Shop", "555666777")},  // already a merchant
      {&carol, BusinessBody("Carol Cafe", "123456789")},   // org number taken
      {&root, BusinessBody("Admin Shop", "999888777")},    // admins cannot
  };
  for (const Refused& r : refused) {
    CAPTURE(r.who->email);
    CAPTURE(r.body);
    auto res = RegisterBusiness(cli, *r.who, r.body);
    REQUIRE(res);
    CHECK(res->status == 409);
    CHECK(ErrorCode(res) == "conflict");
    CHECK(Written(server) == before);
  }
  CHECK(QueryText(server, "SELECT role FROM users WHERE id = '" + carol.id + "'") == "user");
  CHECK(QueryText(server, "SELECT role FROM users WHERE id = '" + root.id + "'") == "admin");
  CHECK(QueryInt(server, "SELECT count(*) FROM merchants") == 1);

  // Carol can still register with an org number of her own.
  auto own = RegisterBusiness(cli, carol, BusinessBody("Carol Cafe", "123456780"));
  CHECK(DataOf(own, 201).count("id") == 1);
}

TEST_CASE("an invalid merchant registration is 422 naming every bad field and writes nothing") {
  ServerProcess server;
  auto cli = server.Client();
  Account bob = RegisterAndLogin(cli, "bob@example.com");
  const std::string before = Written(server);

  auto body = [](const std::string& name, const std::string& org, const std::string& account,
                 const std::string& extra = "") {
    return R"({"businessName":")" + name + R"(","orgNumber":")" + org + R"(","bankAccount":")" +
           account + "\"" + extra + "}";
  };
  using Codes = std::map<std::string, std::string>;
  const std::vector<std::pair<std::string, Codes>> bad = {
      {body("Kebab", "12345678", "8601.11.17947"), {{"orgNumber", "invalid_format"}}},
      {body("Kebab", "1234567890", "8601.11.17947"), {{"orgNumber", "invalid_format"}}},
      {body("Kebab", "12345678a", "8601.11.17947"), {{"orgNumber", "invalid_format"}}},
      {body("Kebab", "123 456 789", "8601.11.17947"), {{"orgNumber", "invalid_format"}}},
      {body("Kebab", "123456789", "8601.11.17948"), {{"bankAccount", "invalid_format"}}},
      {body("Kebab", "123456789", "8601.11.1794"), {{"bankAccount", "invalid_format"}}},
      {body("Kebab", "123456789", "8601.11.17050"), {{"bankAccount", "invalid_format"}}},
      {body("Kebab", "123456789", "NO9386011117947"), {{"bankAccount", "invalid_format"}}},
      {body("Kebab", "123456789", ""), {{"bankAccount", "invalid_format"}}},
      {body("Kebab", "123456789", "8601.11.17947",
            R"(,"address":")" + std::string(301, 'a') + "\""),
       {{"address", "too_long"}}},
      {body("", "123456789", "8601.11.17947"), {{"businessName", "required"}}},
      {body("<b>Kebab</b>", "123456789", "8601.11.17947"), {{"businessName", "invalid_format"}}},
      {body(std::string(101, 'k'), "123456789", "8601.11.17947"), {{"businessName", "too_long"}}},
      {body("<b>Kebab</b>", "12345", "8601.11.17948",
            R"(,"address":")" + std::string(301, 'a') + "\""),
       {{"businessName", "invalid_format"},
        {"orgNumber", "invalid_format"},
        {"address", "too_long"},
        {"bankAccount", "invalid_format"}}},
      {"{}",
       {{"businessName", "required"}, {"orgNumber", "required"}, {"bankAccount", "required"}}},
      {R"({"businessName":7,"orgNumber":123456789,"bankAccount":86011117947,"address":[]})",
       {{"businessName", "invalid_type"},
        {"orgNumber", "invalid_type"},
        {"bankAccount", "invalid_type"},
        {"address", "invalid_type"}}},
  };
  for (const auto& [b, codes] : bad) {
    CAPTURE(b);
    auto res = RegisterBusiness(cli, bob, b);
    REQUIRE(res);
    INFO(res->body);
    CHECK(res->status == 422);
    auto o = JsonBody(res->body);
    CHECK(GetStr(o, "error.code") == "validation_error");
    CHECK(DetailCodes(o) == codes);
    CHECK(Written(server) == before);
  }
  CHECK(QueryText(server, "SELECT role FROM users WHERE id = '" + bob.id + "'") == "user");
}

TEST_CASE("the dashboard sums completed QR payments for today, the week and the month") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  std::string bob_id, other_id;
  Account bob = BecomeMerchant(cli, RegisterAndLogin(cli, "bob@example.com"), "Ahmetov Kebab",
                               "123456789", &bob_id);
  BecomeMerchant(cli, RegisterAndLogin(cli, "olga@example.com"), "Olga Optikk", "222333444",
                 &other_id);
  LinkDnbAccount(cli, ada, "5000");

  // Made now, then moved: one stays now, one to three days ago, one to 40
  // days ago, one is marked failed; another merchant's payment never counts.
  std::string now_tx = PayMerchant(cli, ada, bob_id, "100");
  std::string days3_tx = PayMerchant(cli, ada, bob_id, "50.50");
  std::string days40_tx = PayMerchant(cli, ada, bob_id, "200");
  std::string failed_tx = PayMerchant(cli, ada, bob_id, "7");
  PayMerchant(cli, ada, other_id, "300");

  const int64_t now = std::time(nullptr);
  const int64_t today = now - now % kDay;
  const int64_t days3 = today - 3 * kDay + 3600;
  const int64_t days40 = today - 40 * kDay;
  WriteSql(server, "UPDATE transactions SET created_at = " + std::to_string(days3) +
                       ", completed_at = " + std::to_string(days3) + " WHERE id = '" + days3_tx +
                       "'");
  WriteSql(server, "UPDATE transactions SET created_at = " + std::to_string(days40) +
                       ", completed_at = " + std::to_string(days40) + " WHERE id = '" + days40_tx +
                       "'");
  WriteSql(server, "UPDATE transactions SET status = 'failed' WHERE id = '" + failed_tx + "'");

  struct Tx {
    int64_t at, amount, fee;
  };
  const std::vector<Tx> completed = {{now, 10000, 100}, {days3, 5050, 51}, {days40, 20000, 200}};
  const int64_t last_payout = now >= today + 9 * 3600 ? today + 9 * 3600 : today + 9 * 3600 - kDay;
  const std::map<std::string, int64_t> since = {
      {"today", today}, {"week", today - 6 * kDay}, {"month", StartOfMonth(now)}};

  for (const auto& [period, from] : since) {
    CAPTURE(period);
    int64_t revenue = 0, fees = 0, count = 0, payout = 0;
    for (const Tx& t : completed) {
      if (t.at >= from) revenue += t.amount, fees += t.fee, ++count;
      if (t.at >= last_payout) payout += t.amount;
    }
    picojson::object d = Dashboard(cli, bob, period);
    CHECK(GetStr(d, "period") == period);
    CHECK(GetStr(d, "since") == UtcText(from));
    CHECK(Minor(d, "revenue") == revenue);
    CHECK(Get(d, "transactionCount").get<int64_t>() == count);
    CHECK(Minor(d, "fees") == fees);
    // The payer pays the fee on top: the merchant keeps the whole amount.
    CHECK(Minor(d, "netRevenue") == revenue);
    CHECK(Minor(d, "nextPayout") == payout);
    CHECK(GetStr(d, "payoutTime") == UtcText(last_payout + kDay));
  }
  // Today is the default period.
  auto plain = cli.Get(kDashboard, Bearer(bob.access));
  picojson::object d = DataOf(plain, 200);
  CHECK(GetStr(d, "period") == "today");
  CHECK(Minor(d, "revenue") == 10000);

  for (const char* bad : {"year", "TODAY", "all", "week;"}) {
    CAPTURE(bad);
    auto res = cli.Get(std::string(kDashboard) + "?period=" + bad, Bearer(bob.access));
    REQUIRE(res);
    CHECK(res->status == 422);
    auto o = JsonBody(res->body);
    CHECK(GetStr(o, "error.code") == "validation_error");
    CHECK(DetailCodes(o).count("period") == 1);
  }
}

TEST_CASE("a merchant's payments list names the payer only by first name and initial") {
  ServerProcess server;
  auto cli = server.Client();
  std::string bob_id, other_id;
  Account bob = BecomeMerchant(cli, RegisterAndLogin(cli, "bob@example.com"), "Ahmetov Kebab",
                               "123456789", &bob_id);
  BecomeMerchant(cli, RegisterAndLogin(cli, "olga@example.com"), "Olga Optikk", "222333444",
                 &other_id);
  Account ada = RegisterAndLogin(cli, "ada@example.com");  // Test User
  auto reg =
      PostJson(cli, "/api/v1/auth/register", NewUserBody("ase@example.com", "Åse", "Øvrebø", ""));
  REQUIRE(reg);
  REQUIRE(reg->status == 201);
  Account ase = Login(cli, "ase@example.com");
  std::string ada_account = LinkDnbAccount(cli, ada, "5000");
  LinkDnbAccount(cli, ase, "5000");

  std::string small = PayMerchant(cli, ada, bob_id, "12.34");
  std::string big = PayMerchant(cli, ase, bob_id, "250");
  std::string elsewhere = PayMerchant(cli, ada, other_id, "99");

  Page p = List(cli, bob, std::string(kPayments) + "?sort=amount");
  REQUIRE(p.status == 200);
  CHECK(Field(p, "id") == std::vector<std::string>{small, big});
  CHECK(Field(p, "customerName") == std::vector<std::string>{"Test U.", "Åse Ø."});
  CHECK(PgInt(p, "total") == 2);
  const auto& first = p.items.at(0).get<picojson::object>();
  CHECK(first.at("status").get<std::string>() == "completed");
  CHECK(Minor(first, "amount") == 1234);
  CHECK(Minor(first, "fee") == 12);
  CHECK(first.at("currency").get<std::string>() == "NOK");
  CHECK(LooksLikeUtc(first.at("createdAt").get<std::string>()));
  for (const std::string& secret : {ada.id, ada.email, ase.id, ase.email, std::string("User"),
                                    std::string("Øvrebø"), ada_account, elsewhere}) {
    CAPTURE(secret);
    CHECK(p.body.find(secret) == std::string::npos);
  }
  CHECK(Field(List(cli, bob, std::string(kPayments) + "?sort=-amount"), "id") ==
        std::vector<std::string>{big, small});

  for (const char* q : {"sort=customerName", "sort=userId", "pageSize=0"}) {
    CAPTURE(q);
    Page bad = List(cli, bob, std::string(kPayments) + "?" + q);
    CHECK(bad.status == 400);
    CHECK(bad.code == "bad_request");
  }
}

TEST_CASE("merchant routes refuse a plain user with 403 and an anonymous caller with 401") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  for (const std::string& path : {std::string(kDashboard), std::string(kDashboard) + "?period=week",
                                  std::string(kQr), std::string(kPayments)}) {
    CAPTURE(path);
    auto res = cli.Get(path, Bearer(ada.access));
    REQUIRE(res);
    CHECK(res->status == 403);
    CHECK(ErrorCode(res) == "forbidden");
    CHECK(StatusOf(cli, path, {}) == 401);
  }
  const std::string before = Written(server);
  auto anonymous = PostJson(cli, "/api/v1/merchants/register", BusinessBody("Kebab", "123456789"));
  REQUIRE(anonymous);
  CHECK(anonymous->status == 401);
  CHECK(Written(server) == before);
}

TEST_CASE("an address's 300-character limit counts characters, not bytes") {
  ServerProcess server;
  auto cli = server.Client();
  Account bob = RegisterAndLogin(cli, "bob@example.com");
  Account cem = RegisterAndLogin(cli, "cem@example.com");
  std::string a300, a301;
  for (int i = 0; i < 300; ++i) a300 += "ø";  // two bytes in UTF-8
  a301 = a300 + "ø";

  const std::string before = Written(server);
  auto over = RegisterBusiness(
      cli, cem, BusinessBody("Cem Frisør", "987654321", R"(,"address":")" + a301 + "\""));
  REQUIRE(over);
  CHECK(over->status == 422);
  CHECK(DetailCodes(JsonBody(over->body)) ==
        std::map<std::string, std::string>{{"address", "too_long"}});
  CHECK(Written(server) == before);

  auto ok = RegisterBusiness(
      cli, bob, BusinessBody("Bob Bakeri", "123456789", R"(,"address":")" + a300 + "\""));
  REQUIRE(ok);
  INFO(ok->body);
  CHECK(ok->status == 201);
  if (ok->status == 201) CHECK(GetStr(JsonBody(ok->body), "data.address") == a300);
}
