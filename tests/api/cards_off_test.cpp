// Cards while FEATURE_CARDS is off (API.md §9): every card route answers 404
// not_found, as a route that does not exist, and writes nothing, also for a
// card issued while the feature was on.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "accounts.h"
#include "cards_setup.h"
#include "harness.h"

using namespace cairn::test;

namespace {

const char kUnknownCard[] = "card_0123456789abcdef";

struct Call {
  std::string method;
  std::string path;
  std::string body;  // sent as JSON when not empty
};

// Every card route, on card id.
std::vector<Call> CardCalls(const std::string& id) {
  const std::string card = "/api/v1/cards/" + id;
  return {
      {"GET", "/api/v1/cards", ""},
      {"POST", "/api/v1/cards", "{}"},
      {"POST", "/api/v1/cards", R"({"type":"physical"})"},
      {"GET", card, ""},
      {"PATCH", card, R"({"status":"frozen"})"},
      {"DELETE", card, ""},
      {"POST", card + "/physical", R"({"address":"Storgata 1, 0155 Oslo"})"},
      {"POST", card + "/pin", R"({"pin":"1234"})"},
      {"GET", card + "/limits", ""},
      {"PUT", card + "/limits", R"({"limitType":"daily","amount":100})"},
  };
}

httplib::Result Send(httplib::Client& cli, const Call& c, const httplib::Headers& headers) {
  if (c.method == "GET") return cli.Get(c.path, headers);
  if (c.method == "DELETE") return cli.Delete(c.path, headers);
  if (c.method == "PATCH") return cli.Patch(c.path, headers, c.body, "application/json");
  if (c.method == "PUT") return cli.Put(c.path, headers, c.body, "application/json");
  return cli.Post(c.path, headers, c.body, "application/json");
}

void ExpectAllNotFound(const ServerProcess& server, httplib::Client& cli, const Account& who,
                       const std::string& card_id) {
  std::string before = CardState(server);
  for (const Call& c : CardCalls(card_id)) {
    CAPTURE(c.method);
    CAPTURE(c.path);
    auto res = Send(cli, c, Bearer(who.access));
    REQUIRE(res);
    CHECK(res->status == 404);
    CHECK(GetStr(JsonBody(res->body), "error.code") == "not_found");
    CHECK(res->body.find("\"data\"") == std::string::npos);
    CHECK(CardState(server) == before);
  }
}

}  // namespace

TEST_CASE("with FEATURE_CARDS unset or 0, every card route is 404 not_found and writes nothing") {
  for (const char* setting : {"", "0"}) {
    CAPTURE(setting);
    ServerProcess::Options opts;
    if (*setting != '\0') opts.env["FEATURE_CARDS"] = setting;
    ServerProcess server(opts);
    auto cli = server.Client();
    Account ada = RegisterAndLogin(cli, "ada@example.com");
    ExpectAllNotFound(server, cli, ada, kUnknownCard);
    CHECK(QueryInt(server, "SELECT count(*) FROM cards") == 0);
    CHECK(QueryInt(server, "SELECT count(*) FROM card_limits") == 0);
  }
}

TEST_CASE("a card issued while the feature was on is out of reach once it is off, and kept") {
  TempDir dir;
  std::string card_id;
  {
    ServerProcess::Options on = CardsOn();
    on.db_path = dir.File("cairn.db");
    ServerProcess server(on);
    auto cli = server.Client();
    Account ada = RegisterAndLogin(cli, "ada@example.com");
    auto res = PostJson(cli, "/api/v1/cards", "{}", Bearer(ada.access));
    REQUIRE(res);
    REQUIRE(res->status == 201);
    card_id = GetStr(JsonBody(res->body), "data.id");
    REQUIRE(server.Stop() == 0);
  }
  ServerProcess::Options off;
  off.db_path = dir.File("cairn.db");
  ServerProcess server(off);
  auto cli = server.Client();
  Account ada = Login(cli, "ada@example.com");
  std::string before = CardState(server);
  ExpectAllNotFound(server, cli, ada, card_id);
  CHECK(CardState(server) == before);
  CHECK(QueryText(server, "SELECT status FROM cards WHERE id = '" + card_id + "'") == "active");
}

TEST_CASE(
    "with cards off, a card route is answered as a route that does not exist, signed in or not") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");

  // What a path that never existed answers.
  auto unknown = cli.Get("/api/v1/no-such-thing");
  REQUIRE(unknown);
  REQUIRE(unknown->status == 404);

  // Without a sign-in, a card route must not give away that it exists.
  for (const Call& c : CardCalls(kUnknownCard)) {
    CAPTURE(c.method);
    CAPTURE(c.path);
    auto res = Send(cli, c, {});
    REQUIRE(res);
    CHECK(res->status == 404);
    CHECK(GetStr(JsonBody(res->body), "error.code") == "not_found");
  }
  // Nor with a method the route does not have (405 and Allow would).
  for (const Call& c :
       std::vector<Call>{{"PUT", "/api/v1/cards", "{}"},
                         {"POST", "/api/v1/cards/" + std::string(kUnknownCard), "{}"}}) {
    CAPTURE(c.method);
    CAPTURE(c.path);
    auto res = Send(cli, c, Bearer(ada.access));
    REQUIRE(res);
    CHECK(res->status == 404);
    CHECK(res->get_header_value("Allow").empty());
  }
  CHECK(QueryInt(server, "SELECT count(*) FROM cards") == 0);
}
