// Cards with FEATURE_CARDS=1 (API.md §9): issuing (virtual by default, only
// the last four digits ever shown or kept, three years to expiry), at most
// five live cards, freezing, cancelling for good, and another user's card
// out of reach. Refused requests change nothing.

#include <doctest/doctest.h>

#include <algorithm>
#include <ctime>
#include <string>
#include <vector>

#include "accounts.h"
#include "cards_setup.h"
#include "harness.h"

using namespace cairn::test;

TEST_CASE(
    "a card is virtual by default, shows only its last four digits and expires in three years") {
  ServerProcess server(CardsOn());
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");

  auto card = DataOf(PostJson(cli, "/api/v1/cards", "{}", Bearer(ada.access)), 201);
  std::string id = GetStr(card, "id");
  CHECK(IsHexId(id, "card_"));
  CHECK(GetStr(card, "type") == "virtual");
  CHECK(GetStr(card, "status") == "active");
  std::string masked = GetStr(card, "maskedNumber");
  REQUIRE(masked.size() == 19);
  CHECK(masked.compare(0, 15, "**** **** **** ") == 0);
  std::string last4 = masked.substr(15);
  for (char c : last4) CHECK((c >= '0' && c <= '9'));
  CHECK(Get(card, "hasPin") == picojson::value(false));
  CHECK(card.count("shippingAddress") == 0);
  CHECK(card.count("number") == 0);
  CHECK(card.count("cvv") == 0);
  CHECK(GetStr(card, "createdAt").size() == 20);
  CHECK(GetStr(card, "updatedAt").size() == 20);

  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  CHECK(Get(card, "expiryYear").get<int64_t>() == tm.tm_year + 1900 + 3);
  CHECK(Get(card, "expiryMonth").get<int64_t>() == tm.tm_mon + 1);

  // Only the last four digits are stored.
  const std::string where = " FROM cards WHERE id = '" + id + "'";
  CHECK(QueryText(server, "SELECT last4" + where) == last4);
  CHECK(QueryText(server, "SELECT user_id" + where) == ada.id);
  CHECK(QueryInt(server, "SELECT pin_hash IS NULL" + where) == 1);

  auto physical =
      DataOf(PostJson(cli, "/api/v1/cards", R"({"type":"physical"})", Bearer(ada.access)), 201);
  CHECK(GetStr(physical, "type") == "physical");
  auto virt =
      DataOf(PostJson(cli, "/api/v1/cards", R"({"type":"virtual"})", Bearer(ada.access)), 201);
  CHECK(GetStr(virt, "type") == "virtual");

  // GET shows the same card, the same way.
  auto got = DataOf(cli.Get("/api/v1/cards/" + id, Bearer(ada.access)), 200);
  CHECK(GetStr(got, "maskedNumber") == masked);
  CHECK(GetStr(got, "id") == id);
}

TEST_CASE("an unknown card type is 422 and issues nothing") {
  ServerProcess server(CardsOn());
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  for (const char* body : {R"({"type":"gold"})", R"({"type":"VIRTUAL"})", R"({"type":""})",
                           R"({"type":7})", R"({"type":["virtual"]})"}) {
    CAPTURE(body);
    auto res = PostJson(cli, "/api/v1/cards", body, Bearer(ada.access));
    REQUIRE(res);
    CHECK(res->status == 422);
    auto o = JsonBody(res->body);
    CHECK(GetStr(o, "error.code") == "validation_error");
    CHECK(DetailCodes(o).count("type") == 1);
  }
  CHECK(QueryInt(server, "SELECT count(*) FROM cards") == 0);

  auto anonymous = PostJson(cli, "/api/v1/cards", "{}");
  REQUIRE(anonymous);
  CHECK(anonymous->status == 401);
  CHECK(QueryInt(server, "SELECT count(*) FROM cards") == 0);
}

TEST_CASE("at most five live cards: the sixth is 409, and a cancelled card frees a place") {
  ServerProcess server(CardsOn());
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(IssueCard(cli, ada));

  std::string before = CardState(server);
  auto sixth = PostJson(cli, "/api/v1/cards", "{}", Bearer(ada.access));
  REQUIRE(sixth);
  CHECK(sixth->status == 409);
  CHECK(GetStr(JsonBody(sixth->body), "error.code") == "conflict");
  CHECK(CardState(server) == before);
  CHECK(QueryInt(server, "SELECT count(*) FROM cards") == 5);

  // The list holds all five, newest first.
  std::vector<std::string> listed = ListCardIds(cli, ada);
  CHECK(listed == std::vector<std::string>(ids.rbegin(), ids.rend()));

  // Cancelled: 204, gone from the list, still there by id, and a place is free.
  auto cancel = cli.Delete("/api/v1/cards/" + ids[2], Bearer(ada.access));
  REQUIRE(cancel);
  CHECK(cancel->status == 204);
  CHECK(cancel->body.empty());
  listed = ListCardIds(cli, ada);
  CHECK(listed.size() == 4);
  CHECK(std::find(listed.begin(), listed.end(), ids[2]) == listed.end());
  auto cancelled = DataOf(cli.Get("/api/v1/cards/" + ids[2], Bearer(ada.access)), 200);
  CHECK(GetStr(cancelled, "status") == "cancelled");
  IssueCard(cli, ada);
  CHECK(QueryInt(server, "SELECT count(*) FROM cards") == 6);
  CHECK(QueryInt(server, "SELECT count(*) FROM cards WHERE status != 'cancelled'") == 5);
}

TEST_CASE("a card is frozen and unfrozen by PATCH; cancelled is not a status PATCH can set") {
  ServerProcess server(CardsOn());
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  std::string id = IssueCard(cli, ada);
  const std::string path = "/api/v1/cards/" + id;

  auto frozen = DataOf(PatchJson(cli, path, R"({"status":"frozen"})", Bearer(ada.access)), 200);
  CHECK(GetStr(frozen, "status") == "frozen");
  CHECK(QueryText(server, "SELECT status FROM cards WHERE id = '" + id + "'") == "frozen");
  // A frozen card is still listed.
  CHECK(ListCardIds(cli, ada) == std::vector<std::string>{id});
  auto active = DataOf(PatchJson(cli, path, R"({"status":"active"})", Bearer(ada.access)), 200);
  CHECK(GetStr(active, "status") == "active");

  std::string before = CardState(server);
  struct Bad {
    const char* body;
    const char* code;
  };
  for (const Bad& b : std::vector<Bad>{{R"({"status":"cancelled"})", "invalid_value"},
                                       {R"({"status":"blocked"})", "invalid_value"},
                                       {R"({"status":"FROZEN"})", "invalid_value"},
                                       {R"({"status":1})", "invalid_type"},
                                       {R"({"status":null})", "required"},
                                       {"{}", "required"}}) {
    CAPTURE(b.body);
    auto res = PatchJson(cli, path, b.body, Bearer(ada.access));
    REQUIRE(res);
    CHECK(res->status == 422);
    auto o = JsonBody(res->body);
    CHECK(GetStr(o, "error.code") == "validation_error");
    CHECK(DetailCodes(o)["status"] == b.code);
    CHECK(CardState(server) == before);
  }
}

TEST_CASE("a cancelled card is kept, shown as cancelled, and every change to it is 409") {
  ServerProcess server(CardsOn());
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  std::string id = IssueCard(cli, ada);
  const std::string path = "/api/v1/cards/" + id;

  auto cancel = cli.Delete(path, Bearer(ada.access));
  REQUIRE(cancel);
  REQUIRE(cancel->status == 204);
  CHECK(QueryText(server, "SELECT status FROM cards WHERE id = '" + id + "'") == "cancelled");
  std::string before = CardState(server);

  std::vector<httplib::Result> refused;
  refused.push_back(PatchJson(cli, path, R"({"status":"frozen"})", Bearer(ada.access)));
  refused.push_back(PatchJson(cli, path, R"({"status":"active"})", Bearer(ada.access)));
  refused.push_back(cli.Delete(path, Bearer(ada.access)));
  refused.push_back(PostJson(cli, path + "/physical", R"({"address":"Storgata 1, 0155 Oslo"})",
                             Bearer(ada.access)));
  refused.push_back(PostJson(cli, path + "/pin", R"({"pin":"1234"})", Bearer(ada.access)));
  refused.push_back(cli.Put(path + "/limits", Bearer(ada.access),
                            R"({"limitType":"daily","amount":100})", "application/json"));
  for (size_t i = 0; i < refused.size(); ++i) {
    CAPTURE(i);
    REQUIRE(refused[i]);
    CHECK(refused[i]->status == 409);
    CHECK(GetStr(JsonBody(refused[i]->body), "error.code") == "conflict");
    CHECK(CardState(server) == before);
  }

  auto got = DataOf(cli.Get(path, Bearer(ada.access)), 200);
  CHECK(GetStr(got, "status") == "cancelled");
  CHECK(Get(got, "hasPin") == picojson::value(false));
  CHECK(ListCardIds(cli, ada).empty());
}

TEST_CASE("another user's card is 404 on every route and stays as it was") {
  ServerProcess server(CardsOn());
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Account bob = RegisterAndLogin(cli, "bob@example.com");
  std::string id = IssueCard(cli, ada);
  const std::string path = "/api/v1/cards/" + id;
  REQUIRE(PostJson(cli, path + "/pin", R"({"pin":"4821"})", Bearer(ada.access))->status == 204);
  REQUIRE(cli.Put(path + "/limits", Bearer(ada.access), R"({"limitType":"daily","amount":100})",
                  "application/json")
              ->status == 200);
  IssueCard(cli, bob);
  std::string before = CardState(server);

  for (const std::string& target :
       {id, std::string("card_0123456789abcdef"), std::string("not-a-card"),
        std::string("card_") + std::string(300, 'a')}) {
    const std::string p = "/api/v1/cards/" + target;
    std::vector<httplib::Result> answers;
    answers.push_back(cli.Get(p, Bearer(bob.access)));
    answers.push_back(PatchJson(cli, p, R"({"status":"frozen"})", Bearer(bob.access)));
    answers.push_back(cli.Delete(p, Bearer(bob.access)));
    answers.push_back(PostJson(cli, p + "/physical", R"({"address":"Storgata 1, 0155 Oslo"})",
                               Bearer(bob.access)));
    answers.push_back(PostJson(cli, p + "/pin", R"({"pin":"0000"})", Bearer(bob.access)));
    answers.push_back(cli.Get(p + "/limits", Bearer(bob.access)));
    answers.push_back(cli.Put(p + "/limits", Bearer(bob.access),
                              R"({"limitType":"daily","amount":999})", "application/json"));
    for (size_t i = 0; i < answers.size(); ++i) {
      CAPTURE(target);
      CAPTURE(i);
      REQUIRE(answers[i]);
      CHECK(answers[i]->status == 404);
      CHECK(GetStr(JsonBody(answers[i]->body), "error.code") == "not_found");
      CHECK(answers[i]->body.find(id) == std::string::npos);
    }
    CHECK(CardState(server) == before);
  }
  std::vector<std::string> bobs = ListCardIds(cli, bob);
  CHECK(bobs.size() == 1);
  CHECK(std::find(bobs.begin(), bobs.end(), id) == bobs.end());
  // Ada's card works for Ada as before.
  auto got = DataOf(cli.Get(path, Bearer(ada.access)), 200);
  CHECK(GetStr(got, "status") == "active");
  CHECK(Get(got, "hasPin") == picojson::value(true));
}
