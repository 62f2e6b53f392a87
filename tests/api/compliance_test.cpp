// Consents and complaints over HTTP (API.md §9): a consent is created once
// and then changed, with the time of each side and the client's address;
// complaints are received with the 15-business-day commitment and an event;
// bad input is 422 and stores nothing; each caller sees only their own.

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "accounts.h"
#include "harness.h"
#include "lists.h"

using namespace cairn::test;

namespace {

httplib::Result SetConsent(httplib::Client& cli, const Account& who, const std::string& body) {
  return PostJson(cli, "/api/v1/consents", body, Bearer(who.access));
}

// Every consent row, as one comparable string.
std::string ConsentRows(const ServerProcess& server) {
  return QueryText(server,
                   "SELECT coalesce(group_concat(row, ';'), '') FROM (SELECT id || '|' || "
                   "user_id || '|' || consent_type || '|' || granted || '|' || "
                   "coalesce(granted_at, '') || '|' || coalesce(withdrawn_at, '') || '|' || "
                   "coalesce(ip_address, '') || '|' || updated_at AS row FROM consents "
                   "ORDER BY id)");
}

std::string ComplaintBody(const std::string& category, const std::string& subject,
                          const std::string& description) {
  picojson::object o;
  o["category"] = picojson::value(category);
  o["subject"] = picojson::value(subject);
  o["description"] = picojson::value(description);
  return picojson::value(o).serialize();
}

std::string Complain(httplib::Client& cli, const Account& who, const std::string& subject) {
  auto res = PostJson(cli, "/api/v1/complaints",
                      ComplaintBody("service", subject, "It took too long."), Bearer(who.access));
  return GetStr(DataOf(res, 201), "id");
}

std::string ComplaintState(const ServerProcess& server) {
  return std::to_string(QueryInt(server, "SELECT count(*) FROM complaints")) + "/" +
         std::to_string(QueryInt(server, "SELECT count(*) FROM events"));
}

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

}  // namespace

TEST_CASE("a consent is 201 when new and 200 when changed, keeping the time of each side") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");

  auto granted = DataOf(SetConsent(cli, ada, R"({"consentType":"marketing","granted":true})"), 201);
  std::string id = GetStr(granted, "id");
  CHECK(IsHexId(id, "con_"));
  CHECK(GetStr(granted, "consentType") == "marketing");
  CHECK(Get(granted, "granted") == picojson::value(true));
  std::string granted_at = GetStr(granted, "grantedAt");
  CHECK(IsIsoTime(granted_at));
  CHECK(Get(granted, "withdrawnAt").is<picojson::null>());
  CHECK(GetStr(granted, "ipAddress") == "127.0.0.1");
  CHECK(IsIsoTime(GetStr(granted, "createdAt")));
  CHECK(IsIsoTime(GetStr(granted, "updatedAt")));

  // Withdrawn: the same consent, 200, with both times now known.
  auto withdrawn =
      DataOf(SetConsent(cli, ada, R"({"consentType":"marketing","granted":false})"), 200);
  CHECK(GetStr(withdrawn, "id") == id);
  CHECK(Get(withdrawn, "granted") == picojson::value(false));
  CHECK(GetStr(withdrawn, "grantedAt") == granted_at);
  CHECK(IsIsoTime(GetStr(withdrawn, "withdrawnAt")));
  CHECK(GetStr(withdrawn, "ipAddress") == "127.0.0.1");
  CHECK(GetStr(withdrawn, "createdAt") == GetStr(granted, "createdAt"));

  // Granted again: still one row, granted, the withdrawal's time kept.
  auto again = DataOf(SetConsent(cli, ada, R"({"consentType":"marketing","granted":true})"), 200);
  CHECK(GetStr(again, "id") == id);
  CHECK(Get(again, "granted") == picojson::value(true));
  CHECK(GetStr(again, "withdrawnAt") == GetStr(withdrawn, "withdrawnAt"));

  const std::string where = " FROM consents WHERE id = '" + id + "'";
  CHECK(QueryInt(server, "SELECT count(*) FROM consents") == 1);
  CHECK(QueryInt(server, "SELECT granted" + where) == 1);
  CHECK(QueryText(server, "SELECT user_id" + where) == ada.id);
  CHECK(QueryText(server, "SELECT ip_address" + where) == "127.0.0.1");
  CHECK(QueryInt(server, "SELECT granted_at IS NOT NULL AND withdrawn_at IS NOT NULL" + where) ==
        1);

  // Another type is another row, and 201.
  DataOf(SetConsent(cli, ada, R"({"consentType":"cookies_analytics","granted":false})"), 201);
  CHECK(QueryInt(server, "SELECT count(*) FROM consents") == 2);
}

TEST_CASE("an invalid consent is 422 and neither creates nor changes a row") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  DataOf(SetConsent(cli, ada, R"({"consentType":"terms","granted":true})"), 201);
  std::string before = ConsentRows(server);

  struct Bad {
    const char* body;
    const char* field;
    const char* code;
  };
  const std::vector<Bad> bad = {
      {R"({"consentType":"newsletter","granted":true})", "consentType", "invalid_value"},
      {R"({"consentType":"TERMS","granted":true})", "consentType", "invalid_value"},
      {R"({"consentType":"","granted":true})", "consentType", "invalid_value"},
      {R"({"consentType":7,"granted":true})", "consentType", "invalid_type"},
      {R"({"granted":true})", "consentType", "required"},
      {R"({"consentType":"marketing"})", "granted", "required"},
      {R"({"consentType":"marketing","granted":null})", "granted", "required"},
      {R"({"consentType":"marketing","granted":"yes"})", "granted", "invalid_type"},
      {R"({"consentType":"marketing","granted":1})", "granted", "invalid_type"},
      // A bad value for an existing consent leaves it as it was.
      {R"({"consentType":"terms","granted":"no"})", "granted", "invalid_type"},
      {R"({"consentType":"terms"})", "granted", "required"},
  };
  for (const Bad& b : bad) {
    CAPTURE(b.body);
    auto res = SetConsent(cli, ada, b.body);
    REQUIRE(res);
    CHECK(res->status == 422);
    auto body = JsonBody(res->body);
    CHECK(GetStr(body, "error.code") == "validation_error");
    CHECK(DetailCodes(body)[b.field] == b.code);
    CHECK(ConsentRows(server) == before);
  }
  CHECK(QueryInt(server, "SELECT count(*) FROM consents") == 1);

  // Without a sign-in: 401, nothing written.
  auto anonymous = PostJson(cli, "/api/v1/consents", R"({"consentType":"privacy","granted":true})");
  REQUIRE(anonymous);
  CHECK(anonymous->status == 401);
  CHECK(GetStr(JsonBody(anonymous->body), "error.code") == "unauthorized");
  CHECK(ConsentRows(server) == before);
}

TEST_CASE("each user lists only their own consents") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Account bob = RegisterAndLogin(cli, "bob@example.com");
  std::string adas = GetStr(
      DataOf(SetConsent(cli, ada, R"({"consentType":"privacy","granted":true})"), 201), "id");
  std::string bobs = GetStr(
      DataOf(SetConsent(cli, bob, R"({"consentType":"privacy","granted":false})"), 201), "id");
  DataOf(SetConsent(cli, bob, R"({"consentType":"marketing","granted":true})"), 201);
  CHECK(adas != bobs);

  auto list = cli.Get("/api/v1/consents", Bearer(ada.access));
  REQUIRE(list);
  REQUIRE(list->status == 200);
  picojson::value data = Get(JsonBody(list->body), "data");
  REQUIRE(data.is<picojson::array>());
  REQUIRE(data.get<picojson::array>().size() == 1);
  const auto& item = data.get<picojson::array>()[0].get<picojson::object>();
  CHECK(item.at("id").to_str() == adas);
  CHECK(item.at("granted") == picojson::value(true));
  CHECK(list->body.find(bobs) == std::string::npos);

  auto bob_list = cli.Get("/api/v1/consents", Bearer(bob.access));
  REQUIRE(bob_list);
  REQUIRE(bob_list->status == 200);
  CHECK(Get(JsonBody(bob_list->body), "data").get<picojson::array>().size() == 2);
  CHECK(bob_list->body.find(adas) == std::string::npos);

  auto anonymous = cli.Get("/api/v1/consents");
  REQUIRE(anonymous);
  CHECK(anonymous->status == 401);
  CHECK(anonymous->body.find(adas) == std::string::npos);
}

TEST_CASE("a complaint is received with the 15-business-day commitment and emits an event") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");

  auto res = PostJson(cli, "/api/v1/complaints",
                      ComplaintBody("fees", "Fee too high", "I was charged twice.\nPlease check."),
                      Bearer(ada.access));
  auto c = DataOf(res, 201);
  std::string id = GetStr(c, "id");
  CHECK(IsHexId(id, "cmp_"));
  CHECK(GetStr(c, "category") == "fees");
  CHECK(GetStr(c, "subject") == "Fee too high");
  CHECK(GetStr(c, "description") == "I was charged twice.\nPlease check.");
  CHECK(GetStr(c, "status") == "received");
  CHECK(Get(c, "resolution").is<picojson::null>());
  CHECK(Get(c, "resolvedAt").is<picojson::null>());
  CHECK(IsIsoTime(GetStr(c, "createdAt")));
  CHECK(GetStr(c, "commitmentNote").find("15 business days") != std::string::npos);

  const std::string where = " FROM complaints WHERE id = '" + id + "'";
  CHECK(QueryText(server, "SELECT user_id" + where) == ada.id);
  CHECK(QueryText(server, "SELECT status" + where) == "received");
  CHECK(QueryText(server, "SELECT description" + where) == "I was charged twice.\nPlease check.");

  // The outbox has the event, about Ada, naming the complaint.
  CHECK(QueryInt(server, "SELECT count(*) FROM events WHERE type = 'complaint.created'") == 1);
  CHECK(QueryText(server, "SELECT user_id FROM events WHERE type = 'complaint.created'") == ada.id);
  CHECK(QueryText(server, "SELECT data FROM events WHERE type = 'complaint.created'").find(id) !=
        std::string::npos);
  CHECK(QueryText(server, "SELECT id FROM events WHERE type = 'complaint.created'")
            .compare(0, 4, "evt_") == 0);

  // Each category is accepted, and the longest subject and description too,
  // counted in characters, not bytes.
  for (const char* category : {"transaction", "service", "privacy", "technical", "other"}) {
    CAPTURE(category);
    DataOf(
        PostJson(cli, "/api/v1/complaints", ComplaintBody(category, "s", "d"), Bearer(ada.access)),
        201);
  }
  DataOf(PostJson(cli, "/api/v1/complaints",
                  ComplaintBody("other", std::string(200, 's'), std::string(2000, 'd')),
                  Bearer(ada.access)),
         201);
  DataOf(PostJson(cli, "/api/v1/complaints",
                  ComplaintBody("other", Repeat("\xc3\xb8", 200), Repeat("\xc3\xa6", 2000)),
                  Bearer(ada.access)),
         201);
  CHECK(QueryInt(server, "SELECT count(*) FROM complaints") == 8);
  CHECK(QueryInt(server, "SELECT count(*) FROM events WHERE type = 'complaint.created'") == 8);
}

TEST_CASE("an invalid complaint is 422 and stores neither a complaint nor an event") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  std::string before = ComplaintState(server);

  struct Bad {
    std::string body;
    const char* field;
    const char* code;
  };
  const std::vector<Bad> bad = {
      {ComplaintBody("billing", "s", "d"), "category", "invalid_value"},
      {ComplaintBody("", "s", "d"), "category", "invalid_value"},
      {R"({"subject":"s","description":"d"})", "category", "required"},
      {ComplaintBody("fees", "", "d"), "subject", "invalid_length"},
      {ComplaintBody("fees", std::string(201, 's'), "d"), "subject", "invalid_length"},
      {ComplaintBody("fees", Repeat("\xc3\xb8", 201), "d"), "subject", "invalid_length"},
      {R"({"category":"fees","description":"d"})", "subject", "required"},
      {R"({"category":"fees","subject":7,"description":"d"})", "subject", "invalid_type"},
      {ComplaintBody("fees", "s", ""), "description", "invalid_length"},
      {ComplaintBody("fees", "s", std::string(2001, 'd')), "description", "invalid_length"},
      {R"({"category":"fees","subject":"s"})", "description", "required"},
      {ComplaintBody("fees", "<script>alert(1)</script>", "d"), "subject", "invalid_format"},
      {ComplaintBody("fees", "a > b", "d"), "subject", "invalid_format"},
      {ComplaintBody("fees", "s", "see <b>this</b>"), "description", "invalid_format"},
      {ComplaintBody("fees", "bell\x07", "d"), "subject", "invalid_format"},
      {ComplaintBody("fees", "s", "del\x7f"), "description", "invalid_format"},
  };
  for (const Bad& b : bad) {
    CAPTURE(b.body);
    auto res = PostJson(cli, "/api/v1/complaints", b.body, Bearer(ada.access));
    REQUIRE(res);
    CHECK(res->status == 422);
    auto body = JsonBody(res->body);
    CHECK(GetStr(body, "error.code") == "validation_error");
    CHECK(DetailCodes(body)[b.field] == b.code);
    CHECK(ComplaintState(server) == before);
  }
  CHECK(QueryInt(server, "SELECT count(*) FROM complaints") == 0);
  CHECK(QueryInt(server, "SELECT count(*) FROM events WHERE type = 'complaint.created'") == 0);

  // Several problems at once are all told.
  auto many =
      PostJson(cli, "/api/v1/complaints", ComplaintBody("nope", "", ""), Bearer(ada.access));
  REQUIRE(many);
  CHECK(many->status == 422);
  CHECK(DetailCodes(JsonBody(many->body)).size() == 3);

  auto anonymous = PostJson(cli, "/api/v1/complaints", ComplaintBody("fees", "s", "d"));
  REQUIRE(anonymous);
  CHECK(anonymous->status == 401);
  CHECK(ComplaintState(server) == before);
}

TEST_CASE("each user lists only their own complaints, in pages") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Account bob = RegisterAndLogin(cli, "bob@example.com");
  std::set<std::string> adas = {Complain(cli, ada, "first"), Complain(cli, ada, "second"),
                                Complain(cli, ada, "third")};
  std::string bobs = Complain(cli, bob, "bob's own");

  Page first = List(cli, ada, "/api/v1/complaints?pageSize=2");
  REQUIRE(first.status == 200);
  CHECK(first.items.size() == 2);
  CHECK(PgInt(first, "total") == 3);
  CHECK(PgInt(first, "totalPages") == 2);
  CHECK(PgInt(first, "pageSize") == 2);
  CHECK(PgInt(first, "page") == 1);
  CHECK(PgBool(first, "hasNextPage"));
  CHECK_FALSE(PgBool(first, "hasPreviousPage"));
  CHECK(Pg(first, "nextCursor").is<std::string>());

  Page second = List(cli, ada, "/api/v1/complaints?pageSize=2&page=2");
  REQUIRE(second.status == 200);
  CHECK(second.items.size() == 1);
  CHECK_FALSE(PgBool(second, "hasNextPage"));
  CHECK(PgBool(second, "hasPreviousPage"));
  CHECK(Pg(second, "nextCursor").is<picojson::null>());

  std::set<std::string> seen = FieldSet(first, "id");
  for (const std::string& id : Field(second, "id")) seen.insert(id);
  CHECK(seen == adas);
  for (const picojson::value& v : first.items) {
    CHECK(v.get<picojson::object>().count("commitmentNote") == 0);
  }

  // The cursor from the first page leads to the same last complaint.
  Page by_cursor =
      List(cli, ada, "/api/v1/complaints?pageSize=2&cursor=" + Pg(first, "nextCursor").to_str());
  REQUIRE(by_cursor.status == 200);
  CHECK(Field(by_cursor, "id") == Field(second, "id"));

  Page all = List(cli, ada, "/api/v1/complaints");
  REQUIRE(all.status == 200);
  CHECK(FieldSet(all, "id") == adas);
  CHECK(all.body.find(bobs) == std::string::npos);
  CHECK(all.body.find("bob's own") == std::string::npos);

  Page bob_all = List(cli, bob, "/api/v1/complaints");
  REQUIRE(bob_all.status == 200);
  CHECK(Field(bob_all, "id") == std::vector<std::string>{bobs});

  // Sorting by anything but createdAt is 400.
  Page bad_sort = List(cli, ada, "/api/v1/complaints?sort=subject");
  CHECK(bad_sort.status == 400);
  CHECK(bad_sort.code == "bad_request");
  Page bad_size = List(cli, ada, "/api/v1/complaints?pageSize=0");
  CHECK(bad_size.status == 400);
}
