// Notifications and settings over HTTP: the dispatcher turns a user's events
// into notifications within a second, marking them read touches only the
// caller's unread ones, bad id lists are refused without a write, settings
// start at the defaults and change only as asked, and with push off an event
// is dispatched without telling anyone.

#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "accounts.h"
#include "domain_setup.h"
#include "harness.h"
#include "lists.h"

using namespace cairn::test;

namespace {

constexpr char kNotifications[] = "/api/v1/notifications";
constexpr char kSettings[] = "/api/v1/settings";

void AddRecipient(httplib::Client& cli, const Account& who, const std::string& name) {
  auto res =
      PostJson(cli, "/api/v1/recipients",
               R"({"name":")" + name +
                   R"(","country":"RS","currency":"RSD","bankAccount":"RS35260005601001611379"})",
               Bearer(who.access));
  REQUIRE(res);
  REQUIRE(res->status == 201);
}

// A notification's id by its title in items.
std::string IdOf(const picojson::array& items, const std::string& title) {
  for (const picojson::value& v : items) {
    const auto& o = v.get<picojson::object>();
    if (o.at("title").get<std::string>() == title) return o.at("id").get<std::string>();
  }
  FAIL("no notification titled " << title);
  return {};
}

httplib::Result MarkRead(httplib::Client& cli, const Account& who, const std::string& ids_json) {
  return PatchJson(cli, kNotifications, R"({"notificationIds":)" + ids_json + "}",
                   Bearer(who.access));
}

int64_t Updated(const httplib::Result& res) {
  picojson::object data = DataOf(res, 200);
  REQUIRE(data.at("updated").is<int64_t>());
  return data.at("updated").get<int64_t>();
}

std::string Row(const ServerProcess& server, const std::string& id) {
  return QueryText(server,
                   "SELECT id || '|' || user_id || '|' || coalesce(read_at, '<null>') "
                   "FROM notifications WHERE id = '" +
                       id + "'");
}

picojson::object Settings(httplib::Client& cli, const Account& who) {
  return DataOf(cli.Get(kSettings, Bearer(who.access)), 200);
}

}  // namespace

TEST_CASE("linking an account and adding a recipient each notify the user within a second") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Account bob = RegisterAndLogin(cli, "bob@example.com");

  LinkDnbAccount(cli, ada);
  AddRecipient(cli, ada, "Mama Jasmina");
  picojson::array items = AwaitNotifications(cli, ada, 2);
  REQUIRE(items.size() == 2);

  std::map<std::string, picojson::object> by_title;
  for (const picojson::value& v : items) {
    const auto& o = v.get<picojson::object>();
    by_title[o.at("title").get<std::string>()] = o;
  }
  REQUIRE(by_title.count("Bank account linked") == 1);
  REQUIRE(by_title.count("Recipient added") == 1);
  const picojson::object& linked = by_title["Bank account linked"];
  const picojson::object& added = by_title["Recipient added"];
  CHECK(GetStr(linked, "type") == "bank_account.linked");
  CHECK(GetStr(linked, "body") == "Your DNB account is linked.");
  CHECK(GetStr(added, "type") == "recipient.created");
  CHECK(GetStr(added, "body") == "Mama Jasmina can now receive your transfers.");
  for (const picojson::object* o : {&linked, &added}) {
    CHECK(IsHexId(GetStr(*o, "id"), "noti_"));
    CHECK(Get(*o, "read").get<bool>() == false);
    CHECK(Get(*o, "readAt").is<picojson::null>());
    CHECK(LooksLikeUtc(GetStr(*o, "createdAt")));
    // eventId names the event it tells of, which is now dispatched.
    std::string event = GetStr(*o, "eventId");
    CHECK(QueryText(server, "SELECT type FROM events WHERE id = '" + event + "' AND user_id = '" +
                                ada.id + "' AND dispatched_at IS NOT NULL") == GetStr(*o, "type"));
  }
  // Each event is told once.
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  CHECK(QueryInt(server, "SELECT count(*) FROM notifications") == 2);
  CHECK(QueryInt(server, "SELECT count(*) FROM events WHERE dispatched_at IS NULL") == 0);

  Page bobs = List(cli, bob, kNotifications);
  REQUIRE(bobs.status == 200);
  CHECK(bobs.items.empty());
  CHECK(PgInt(bobs, "total") == 0);
}

TEST_CASE("registering a business and paying one by QR each notify only their own user") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  std::string merchant_id;
  Account bob = BecomeMerchant(cli, RegisterAndLogin(cli, "bob@example.com"), "Ahmetov Kebab",
                               "123456789", &merchant_id);
  LinkDnbAccount(cli, ada);
  auto paid =
      PostJson(cli, "/api/v1/transactions/qr-payment",
               R"({"merchantId":")" + merchant_id + R"(","amount":12.5})", Bearer(ada.access));
  DataOf(paid, 201);

  picojson::array bobs = AwaitNotifications(cli, bob, 1);
  REQUIRE(bobs.size() == 1);
  CHECK(GetStr(bobs[0].get<picojson::object>(), "title") == "Merchant registered");
  CHECK(GetStr(bobs[0].get<picojson::object>(), "body") ==
        "Ahmetov Kebab can now take QR payments.");
  picojson::array adas = AwaitNotifications(cli, ada, 2);
  REQUIRE(adas.size() == 2);
  std::string paid_id = IdOf(adas, "Payment completed");
  for (const picojson::value& v : adas) {
    const auto& o = v.get<picojson::object>();
    if (o.at("id").get<std::string>() != paid_id) continue;
    CHECK(o.at("type").get<std::string>() == "transaction.completed");
    CHECK(o.at("body").get<std::string>() == "You paid 12.50 NOK to Ahmetov Kebab.");
  }
  // A QR payment's transaction.created tells nothing of its own.
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  CHECK(QueryInt(server, "SELECT count(*) FROM notifications") == 3);
  CHECK(QueryInt(server, "SELECT count(*) FROM events WHERE dispatched_at IS NULL") == 0);
}

TEST_CASE("marking notifications read changes only the caller's unread ones") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Account bob = RegisterAndLogin(cli, "bob@example.com");
  LinkDnbAccount(cli, ada);
  AddRecipient(cli, ada, "Mama Jasmina");
  LinkDnbAccount(cli, bob);
  picojson::array adas = AwaitNotifications(cli, ada, 2);
  picojson::array bobs = AwaitNotifications(cli, bob, 1);
  REQUIRE(adas.size() == 2);
  REQUIRE(bobs.size() == 1);
  std::string linked = IdOf(adas, "Bank account linked");
  std::string added = IdOf(adas, "Recipient added");
  std::string bobs_id = bobs[0].get<picojson::object>().at("id").get<std::string>();
  const std::string bob_row = Row(server, bobs_id);

  CHECK(List(cli, ada, std::string(kNotifications) + "?unread=true").items.size() == 2);

  CHECK(Updated(MarkRead(cli, ada, "[\"" + linked + "\"]")) == 1);
  Page unread = List(cli, ada, std::string(kNotifications) + "?unread=true");
  CHECK(Field(unread, "id") == std::vector<std::string>{added});
  CHECK(PgInt(unread, "total") == 1);
  Page all = List(cli, ada, std::string(kNotifications) + "?unread=false");
  CHECK(all.items.size() == 2);
  for (const picojson::value& v : all.items) {
    const auto& o = v.get<picojson::object>();
    bool is_linked = o.at("id").get<std::string>() == linked;
    CHECK(o.at("read").get<bool>() == is_linked);
    CHECK(o.at("readAt").is<std::string>() == is_linked);
  }
  const std::string linked_row = Row(server, linked);

  // Read already: left alone, readAt kept.
  CHECK(Updated(MarkRead(cli, ada, "[\"" + linked + "\"]")) == 0);
  CHECK(Row(server, linked) == linked_row);
  // Bob's: left alone.
  CHECK(Updated(MarkRead(cli, ada, "[\"" + bobs_id + "\"]")) == 0);
  CHECK(Row(server, bobs_id) == bob_row);
  // A mixture: only Ada's unread one counts.
  CHECK(Updated(MarkRead(cli, ada,
                         "[\"" + added + "\",\"" + bobs_id + "\",\"" + linked +
                             "\",\"noti_0000000000000000\"]")) == 1);
  CHECK(Row(server, bobs_id) == bob_row);
  CHECK(List(cli, ada, std::string(kNotifications) + "?unread=true").items.empty());
  CHECK(List(cli, bob, std::string(kNotifications) + "?unread=true").items.size() == 1);

  Page bad_filter = List(cli, ada, std::string(kNotifications) + "?unread=maybe");
  CHECK(bad_filter.status == 400);
  CHECK(bad_filter.code == "bad_request");
}

TEST_CASE("a bad list of notification ids is 422 and marks nothing read") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  LinkDnbAccount(cli, ada);
  picojson::array items = AwaitNotifications(cli, ada, 1);
  REQUIRE(items.size() == 1);
  const std::string id = items[0].get<picojson::object>().at("id").get<std::string>();
  const std::string before = TableRows(server, "notifications");

  std::string hundred_and_one = "[\"" + id + "\"";
  for (int i = 0; i < 100; ++i) hundred_and_one += ",\"noti_0000000000000000\"";
  hundred_and_one += "]";
  std::string hundred = "[\"" + id + "\"";
  for (int i = 0; i < 99; ++i) hundred += ",\"noti_0000000000000000\"";
  hundred += "]";

  const std::vector<std::string> bad = {
      R"({"notificationIds":)" + hundred_and_one + "}",
      R"({"notificationIds":[]})",
      R"({"notificationIds":[")" + id + R"(","noti_123"]})",
      R"({"notificationIds":[")" + id + R"(","NOTI_0123456789ABCDEF"]})",
      R"({"notificationIds":[")" + id + R"(","noti-0123456789abcdef"]})",
      R"({"notificationIds":[")" + id + R"(","noti_0123456789abcdeg"]})",
      R"({"notificationIds":[")" + id + R"(","noti_0123456789abcdef0"]})",
      R"({"notificationIds":[")" + id + R"(","' OR 1=1 --"]})",
      R"({"notificationIds":[")" + id + R"(",7]})",
      R"({"notificationIds":[")" + id + R"(",null]})",
      R"({"notificationIds":")" + id + R"("})",
      R"({"notificationIds":{"id":")" + id + R"("}})",
      R"({"notificationIds":null})",
      R"({})",
  };
  for (const std::string& b : bad) {
    CAPTURE(b);
    auto res = PatchJson(cli, kNotifications, b, Bearer(ada.access));
    REQUIRE(res);
    INFO(res->body);
    CHECK(res->status == 422);
    auto o = JsonBody(res->body);
    CHECK(GetStr(o, "error.code") == "validation_error");
    CHECK(DetailCodes(o).count("notificationIds") == 1);
    CHECK(TableRows(server, "notifications") == before);
  }
  // A hundred is the most, and allowed.
  CHECK(Updated(PatchJson(cli, kNotifications, R"({"notificationIds":)" + hundred + "}",
                          Bearer(ada.access))) == 1);
}

TEST_CASE("settings start at the defaults and a patch changes only the fields it names") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Account bob = RegisterAndLogin(cli, "bob@example.com");

  picojson::object s = Settings(cli, ada);
  CHECK(GetStr(s, "currency") == "NOK");
  CHECK(GetStr(s, "language") == "nb");
  CHECK(Get(s, "pushEnabled").get<bool>() == true);
  CHECK(Get(s, "emailEnabled").get<bool>() == true);
  CHECK(Get(s, "updatedAt").is<picojson::null>());
  CHECK(QueryInt(server, "SELECT count(*) FROM user_settings") == 0);

  picojson::object p =
      DataOf(PatchJson(cli, kSettings, R"({"language":"en"})", Bearer(ada.access)), 200);
  CHECK(GetStr(p, "language") == "en");
  CHECK(GetStr(p, "currency") == "NOK");
  CHECK(Get(p, "pushEnabled").get<bool>() == true);
  CHECK(Get(p, "emailEnabled").get<bool>() == true);
  CHECK(LooksLikeUtc(GetStr(p, "updatedAt")));
  CHECK(Settings(cli, ada) == p);

  picojson::object q = DataOf(
      PatchJson(cli, kSettings, R"({"currency":"EUR","emailEnabled":false})", Bearer(ada.access)),
      200);
  CHECK(GetStr(q, "currency") == "EUR");
  CHECK(GetStr(q, "language") == "en");
  CHECK(Get(q, "pushEnabled").get<bool>() == true);
  CHECK(Get(q, "emailEnabled").get<bool>() == false);
  CHECK(Settings(cli, ada) == q);
  // Bob's are his own.
  CHECK(Get(Settings(cli, bob), "updatedAt").is<picojson::null>());
  CHECK(GetStr(Settings(cli, bob), "currency") == "NOK");

  const std::string before = TableRows(server, "user_settings");
  using Codes = std::map<std::string, std::string>;
  const std::vector<std::pair<std::string, Codes>> bad = {
      {R"({"currency":"SEK"})", {{"currency", "invalid_value"}}},
      {R"({"currency":"eur"})", {{"currency", "invalid_value"}}},
      {R"({"currency":""})", {{"currency", "invalid_value"}}},
      {R"({"currency":7})", {{"currency", "invalid_type"}}},
      {R"({"language":"de"})", {{"language", "invalid_value"}}},
      {R"({"language":"EN"})", {{"language", "invalid_value"}}},
      {R"({"language":["en"]})", {{"language", "invalid_type"}}},
      {R"({"pushEnabled":"false"})", {{"pushEnabled", "invalid_type"}}},
      {R"({"pushEnabled":0})", {{"pushEnabled", "invalid_type"}}},
      {R"({"emailEnabled":"yes"})", {{"emailEnabled", "invalid_type"}}},
      // One good change and one bad: neither happens.
      {R"({"currency":"PLN","language":"de"})", {{"language", "invalid_value"}}},
      {R"({"pushEnabled":false,"currency":"XXX"})", {{"currency", "invalid_value"}}},
      {R"({"currency":"SEK","language":"fr"})",
       {{"currency", "invalid_value"}, {"language", "invalid_value"}}},
  };
  for (const auto& [b, codes] : bad) {
    CAPTURE(b);
    auto res = PatchJson(cli, kSettings, b, Bearer(ada.access));
    REQUIRE(res);
    INFO(res->body);
    CHECK(res->status == 422);
    auto o = JsonBody(res->body);
    CHECK(GetStr(o, "error.code") == "validation_error");
    CHECK(DetailCodes(o) == codes);
    CHECK(TableRows(server, "user_settings") == before);
  }
  CHECK(Settings(cli, ada) == q);
}

TEST_CASE("a settings field set to null is left as it was, like a field left out") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  DataOf(
      PatchJson(cli, kSettings, R"({"currency":"EUR","pushEnabled":false})", Bearer(ada.access)),
      200);

  // API.md §9: in every payments body a field set to null is the same as a
  // field left out, and a PATCH that leaves a field out leaves it alone.
  for (const char* b : {R"({"currency":null,"language":"bs"})", R"({"pushEnabled":null})",
                        R"({"emailEnabled":null,"language":null})"}) {
    std::string body = b;
    CAPTURE(body);
    auto res = PatchJson(cli, kSettings, b, Bearer(ada.access));
    REQUIRE(res);
    INFO(res->body);
    CHECK(res->status == 200);
    picojson::object s = Settings(cli, ada);
    CHECK(GetStr(s, "currency") == "EUR");
    CHECK(Get(s, "pushEnabled").get<bool>() == false);
    CHECK(Get(s, "emailEnabled").get<bool>() == true);
  }
  CHECK(GetStr(Settings(cli, ada), "language") == "bs");
}

TEST_CASE("with push turned off a new recipient notifies no one but its event is dispatched") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  DataOf(PatchJson(cli, kSettings, R"({"pushEnabled":false})", Bearer(ada.access)), 200);

  AddRecipient(cli, ada, "Mama Jasmina");
  // Until the dispatcher has passed over the event (however slow the
  // machine), then no notification may exist.
  for (int i = 0; i < 200; ++i) {
    if (QueryInt(server, "SELECT count(*) FROM events WHERE dispatched_at IS NULL") == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Page none = List(cli, ada, kNotifications);
  REQUIRE(none.status == 200);
  CHECK(none.items.empty());
  CHECK(QueryInt(server, "SELECT count(*) FROM notifications") == 0);
  CHECK(QueryInt(server,
                 "SELECT count(*) FROM events WHERE type = 'recipient.created' AND "
                 "user_id = '" +
                     ada.id + "' AND dispatched_at IS NOT NULL") == 1);

  // Turned back on, the next event is told, and the earlier one never is.
  DataOf(PatchJson(cli, kSettings, R"({"pushEnabled":true})", Bearer(ada.access)), 200);
  AddRecipient(cli, ada, "Tata Petar");
  picojson::array items = AwaitNotifications(cli, ada, 1);
  REQUIRE(items.size() == 1);
  CHECK(GetStr(items[0].get<picojson::object>(), "body") ==
        "Tata Petar can now receive your transfers.");
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  CHECK(QueryInt(server, "SELECT count(*) FROM notifications") == 1);
}
