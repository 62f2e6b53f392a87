// A card's details with FEATURE_CARDS=1 (API.md §9): ordering a virtual card
// in plastic once, with an address of 10-300 characters; a PIN of exactly
// four digits, kept only as an Argon2id hash; spending limits, exact to the
// øre, one per type. Refused requests change nothing.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "accounts.h"
#include "cards_setup.h"
#include "harness.h"

using namespace cairn::test;

namespace {

const char kAddress[] = "Storgata 1, 0155 Oslo";

std::string AddressBody(const std::string& address) {
  picojson::object o;
  o["address"] = picojson::value(address);
  return picojson::value(o).serialize();
}

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

picojson::array LimitsOf(httplib::Client& cli, const Account& who, const std::string& id) {
  auto res = cli.Get("/api/v1/cards/" + id + "/limits", Bearer(who.access));
  REQUIRE(res);
  REQUIRE(res->status == 200);
  picojson::value data = Get(JsonBody(res->body), "data");
  REQUIRE(data.is<picojson::array>());
  return data.get<picojson::array>();
}

// An answer that must be 422 naming field (with code, unless empty), after
// which the cards are as they were (before).
void ExpectInvalid(const ServerProcess& server, const httplib::Result& res, const char* field,
                   const std::string& code, const std::string& before) {
  REQUIRE(res);
  INFO(res->body);
  CHECK(res->status == 422);
  auto o = JsonBody(res->body);
  CHECK(GetStr(o, "error.code") == "validation_error");
  auto codes = DetailCodes(o);
  CHECK(codes.count(field) == 1);
  if (!code.empty()) CHECK(codes[field] == code);
  CHECK(CardState(server) == before);
}

}  // namespace

TEST_CASE("a virtual card is ordered in plastic once, to an address of 10 to 300 characters") {
  ServerProcess server(CardsOn());
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  std::string id = IssueCard(cli, ada);
  const std::string path = "/api/v1/cards/" + id + "/physical";

  std::string before = CardState(server);
  for (const std::string& address :
       {std::string("Storgata1"), std::string(""), std::string(301, 'a'),
        std::string("<b>Storgata 1</b>, Oslo")}) {
    CAPTURE(address);
    ExpectInvalid(server, PostJson(cli, path, AddressBody(address), Bearer(ada.access)), "address",
                  address.find('<') != std::string::npos ? "" : "invalid_length", before);
  }
  ExpectInvalid(server, PostJson(cli, path, "{}", Bearer(ada.access)), "address", "required",
                before);
  ExpectInvalid(server, PostJson(cli, path, R"({"address":42})", Bearer(ada.access)), "address",
                "invalid_type", before);

  auto ordered = DataOf(PostJson(cli, path, AddressBody(kAddress), Bearer(ada.access)), 200);
  CHECK(GetStr(ordered, "type") == "physical");
  CHECK(GetStr(ordered, "shippingAddress") == kAddress);
  CHECK(GetStr(ordered, "status") == "active");
  CHECK(QueryText(server, "SELECT type || '|' || shipping_address FROM cards WHERE id = '" + id +
                              "'") == std::string("physical|") + kAddress);

  // Twice is 409, and the first address stays.
  before = CardState(server);
  auto twice = PostJson(cli, path, AddressBody("Karl Johans gate 22, Oslo"), Bearer(ada.access));
  REQUIRE(twice);
  CHECK(twice->status == 409);
  CHECK(GetStr(JsonBody(twice->body), "error.code") == "conflict");
  CHECK(CardState(server) == before);
  // So is a card issued in plastic.
  std::string plastic = IssueCard(cli, ada, R"({"type":"physical"})");
  before = CardState(server);
  auto again = PostJson(cli, "/api/v1/cards/" + plastic + "/physical", AddressBody(kAddress),
                        Bearer(ada.access));
  REQUIRE(again);
  CHECK(again->status == 409);
  CHECK(CardState(server) == before);

  // The bounds themselves are addresses.
  for (const std::string& address : {std::string(10, 'a'), std::string(300, 'a')}) {
    std::string card = IssueCard(cli, ada);
    auto ok = DataOf(PostJson(cli, "/api/v1/cards/" + card + "/physical", AddressBody(address),
                                Bearer(ada.access)),
                       200);
    CHECK(GetStr(ok, "shippingAddress") == address);
  }
}

TEST_CASE("a shipping address is counted in characters, not bytes") {
  ServerProcess server(CardsOn());
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");

  // 300 characters of "ø" (600 bytes) is an address.
  std::string card = IssueCard(cli, ada);
  auto longest = PostJson(cli, "/api/v1/cards/" + card + "/physical",
                          AddressBody(Repeat("\xc3\xb8", 300)), Bearer(ada.access));
  REQUIRE(longest);
  INFO(longest->body);
  CHECK(longest->status == 200);

  // 9 characters (18 bytes) is not.
  std::string other = IssueCard(cli, ada);
  std::string before = CardState(server);
  ExpectInvalid(server,
                PostJson(cli, "/api/v1/cards/" + other + "/physical",
                         AddressBody(Repeat("\xc3\xb8", 9)), Bearer(ada.access)),
                "address", "invalid_length", before);
}

TEST_CASE("a PIN is exactly four digits and is stored only as an Argon2id hash") {
  ServerProcess server(CardsOn());
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  std::string id = IssueCard(cli, ada);
  const std::string path = "/api/v1/cards/" + id + "/pin";
  const std::string hash_sql = "SELECT coalesce(pin_hash, '') FROM cards WHERE id = '" + id + "'";

  // Refused while there is no PIN yet: still none.
  std::string before = CardState(server);
  struct Bad {
    const char* body;
    const char* code;
  };
  const std::vector<Bad> bad = {
      {R"({"pin":"12a4"})", "invalid_format"},
      {R"({"pin":"12345"})", "invalid_format"},
      {R"({"pin":"123"})", "invalid_format"},
      {R"({"pin":""})", "invalid_format"},
      {R"({"pin":" 123"})", "invalid_format"},
      {R"({"pin":"-123"})", "invalid_format"},
      {R"({"pin":"\u0661\u0662\u0663\u0664"})", "invalid_format"},
      {R"({"pin":1234})", "invalid_type"},
      {R"({"pin":null})", "required"},
      {"{}", "required"},
  };
  for (const Bad& b : bad) {
    CAPTURE(b.body);
    ExpectInvalid(server, PostJson(cli, path, b.body, Bearer(ada.access)), "pin", b.code, before);
  }
  CHECK(QueryText(server, hash_sql).empty());

  auto set = PostJson(cli, path, R"({"pin":"4821"})", Bearer(ada.access));
  REQUIRE(set);
  CHECK(set->status == 204);
  CHECK(set->body.empty());
  std::string hash = QueryText(server, hash_sql);
  CHECK(hash.compare(0, 10, "$argon2id$") == 0);
  CHECK(hash.find("4821") == std::string::npos);
  auto card = DataOf(cli.Get("/api/v1/cards/" + id, Bearer(ada.access)), 200);
  CHECK(Get(card, "hasPin") == picojson::value(true));
  CHECK(card.count("pin") == 0);

  // A bad PIN for a card with one leaves the old one.
  before = CardState(server);
  for (const Bad& b : bad) {
    CAPTURE(b.body);
    ExpectInvalid(server, PostJson(cli, path, b.body, Bearer(ada.access)), "pin", b.code, before);
  }
  CHECK(QueryText(server, hash_sql) == hash);

  // A new PIN replaces it; the same PIN hashes differently each time (salted).
  REQUIRE(PostJson(cli, path, R"({"pin":"0000"})", Bearer(ada.access))->status == 204);
  std::string zeros = QueryText(server, hash_sql);
  CHECK(zeros != hash);
  CHECK(zeros.compare(0, 10, "$argon2id$") == 0);
  REQUIRE(PostJson(cli, path, R"({"pin":"0000"})", Bearer(ada.access))->status == 204);
  CHECK(QueryText(server, hash_sql) != zeros);
}

TEST_CASE("a spending limit is exact to the øre and PUT replaces that type's limit") {
  ServerProcess server(CardsOn());
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  std::string id = IssueCard(cli, ada);
  const std::string where = " FROM card_limits WHERE card_id = '" + id + "'";
  CHECK(LimitsOf(cli, ada, id).empty());

  auto daily = DataOf(PutLimit(cli, ada, id, R"({"limitType":"daily","amount":500.5})"), 200);
  CHECK(GetStr(daily, "limitType") == "daily");
  CHECK(Get(daily, "amount").get<double>() == 500.5);
  CHECK(GetStr(daily, "updatedAt").size() == 20);
  CHECK(QueryInt(server, "SELECT amount" + where + " AND limit_type = 'daily'") == 50050);

  // Again: the daily limit is replaced, not added.
  DataOf(PutLimit(cli, ada, id, R"({"limitType":"daily","amount":750})"), 200);
  CHECK(QueryInt(server, "SELECT count(*)" + where) == 1);
  CHECK(QueryInt(server, "SELECT amount" + where + " AND limit_type = 'daily'") == 75000);
  picojson::array limits = LimitsOf(cli, ada, id);
  REQUIRE(limits.size() == 1);
  CHECK(limits[0].get<picojson::object>().at("amount").get<double>() == 750);

  // Another type is another limit.
  DataOf(PutLimit(cli, ada, id, R"({"limitType":"transaction","amount":0.01})"), 200);
  CHECK(QueryInt(server, "SELECT amount" + where + " AND limit_type = 'transaction'") == 1);
  CHECK(LimitsOf(cli, ada, id).size() == 2);

  std::string before = CardState(server);
  struct Bad {
    const char* body;
    const char* field;
    const char* code;
  };
  for (const Bad& b : std::vector<Bad>{
           {R"({"limitType":"yearly","amount":100})", "limitType", "invalid_value"},
           {R"({"limitType":"Daily","amount":100})", "limitType", "invalid_value"},
           {R"({"amount":100})", "limitType", "required"},
           {R"({"limitType":7,"amount":100})", "limitType", "invalid_type"},
           {R"({"limitType":"daily","amount":0})", "amount", "out_of_range"},
           {R"({"limitType":"daily","amount":-5})", "amount", ""},
           {R"({"limitType":"daily","amount":1.001})", "amount", "too_precise"},
           {R"({"limitType":"daily","amount":"100"})", "amount", "invalid_type"},
           {R"({"limitType":"daily","amount":true})", "amount", "invalid_type"},
           {R"({"limitType":"daily"})", "amount", "required"},
       }) {
    CAPTURE(b.body);
    auto res = PutLimit(cli, ada, id, b.body);
    REQUIRE(res);
    CHECK(res->status == 422);
    auto o = JsonBody(res->body);
    CHECK(GetStr(o, "error.code") == "validation_error");
    auto codes = DetailCodes(o);
    CHECK(codes.count(b.field) == 1);
    if (*b.code != '\0') CHECK(codes[b.field] == b.code);
    CHECK(CardState(server) == before);
  }
  CHECK(QueryInt(server, "SELECT amount" + where + " AND limit_type = 'daily'") == 75000);
}
