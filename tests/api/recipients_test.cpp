// Recipients over HTTP: an account number valid for the country is stored
// normalised and echoed in full once, lists show it masked, every bad field
// is named at once and a refused request writes nothing, a delete hides the
// recipient for its owner only, and the list pages and sorts as §7 says.

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "accounts.h"
#include "domain_setup.h"
#include "harness.h"
#include "lists.h"

using namespace cairn::test;

namespace {

constexpr char kPath[] = "/api/v1/recipients";

std::string Body(const std::string& name, const std::string& country, const std::string& currency,
                 const std::string& account, const std::string& extra = "") {
  return R"({"name":")" + name + R"(","country":")" + country + R"(","currency":")" + currency +
         R"(","bankAccount":")" + account + "\"" + extra + "}";
}

httplib::Result Create(httplib::Client& cli, const Account& who, const std::string& body) {
  return PostJson(cli, kPath, body, Bearer(who.access));
}

// Adds a Serbian recipient called name; returns its id.
std::string Add(httplib::Client& cli, const Account& who, const std::string& name) {
  auto res = Create(cli, who, Body(name, "RS", "RSD", "RS35260005601001611379"));
  return GetStr(DataOf(res, 201), "id");
}

// What a recipient request may write.
std::string Written(const ServerProcess& server) {
  return TableRows(server, "recipients") + "#" + EventRows(server);
}

}  // namespace

TEST_CASE("a recipient with a valid account number is created and echoed in full only once") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");

  struct Good {
    const char* country;
    const char* currency;
    const char* country_name;
    const char* entered;
    const char* stored;
  };
  const std::vector<Good> good = {
      {"RS", "RSD", "Serbia", "RS35260005601001611379", "RS35260005601001611379"},
      {"RS", "RSD", "Serbia", "rs35 2600 0560 1001 6113 79", "RS35260005601001611379"},
      {"RS", "RSD", "Serbia", "260-0056010016113-79", "260005601001611379"},
      {"BA", "BAM", "Bosnia and Herzegovina", "BA391290079401028494", "BA391290079401028494"},
      {"BA", "BAM", "Bosnia and Herzegovina", "129-007-9401028494", "1290079401028494"},
      {"PL", "PLN", "Poland", "PL61 1090 1014 0000 0712 1981 2874", "PL61109010140000071219812874"},
      {"PK", "PKR", "Pakistan", "pk36scbl0000001123456702", "PK36SCBL0000001123456702"},
      {"TR", "TRY", "Turkey", "TR33.0006.1005.1978.6457.8413.26", "TR330006100519786457841326"},
  };
  std::vector<std::string> ids;
  for (const Good& g : good) {
    CAPTURE(g.entered);
    auto res = Create(cli, ada, Body("Mama Jasmina", g.country, g.currency, g.entered));
    picojson::object data = DataOf(res, 201);
    CHECK(IsHexId(GetStr(data, "id"), "rcp_"));
    CHECK(GetStr(data, "name") == "Mama Jasmina");
    CHECK(GetStr(data, "country") == g.country);
    CHECK(GetStr(data, "countryName") == g.country_name);
    CHECK(GetStr(data, "currency") == g.currency);
    CHECK(GetStr(data, "bankAccount") == g.stored);
    CHECK(data.count("bankName") == 0);
    CHECK(LooksLikeUtc(GetStr(data, "createdAt")));
    CHECK(QueryText(server, "SELECT bank_account FROM recipients WHERE id = '" +
                                GetStr(data, "id") + "'") == g.stored);
    ids.push_back(GetStr(data, "id"));
  }

  // Exactly 100 characters of name and 200 of bank name are still accepted.
  auto longest = Create(cli, ada,
                        Body(std::string(100, 'n'), "PL", "PLN", "PL61109010140000071219812874",
                             R"(,"bankName":")" + std::string(200, 'b') + "\""));
  picojson::object longest_data = DataOf(longest, 201);
  CHECK(GetStr(longest_data, "bankName") == std::string(200, 'b'));

  // A bank name set to null is one left out.
  auto no_bank = Create(
      cli, ada, Body("Tata Petar", "RS", "RSD", "RS35260005601001611379", R"(,"bankName":null)"));
  CHECK(DataOf(no_bank, 201).count("bankName") == 0);

  // Each creation wrote one recipient.created event naming the recipient,
  // with the number masked.
  CHECK(QueryInt(server, "SELECT count(*) FROM recipients") == 10);
  const std::string mine = "user_id = '" + ada.id + "'";
  CHECK(QueryInt(server,
                 "SELECT count(*) FROM events WHERE type = 'recipient.created' AND " + mine) == 10);
  std::string event = QueryText(server, "SELECT data FROM events WHERE data LIKE '%" + ids[0] +
                                            "%' AND type = 'recipient.created'");
  CHECK(event.find("*****1379") != std::string::npos);
  CHECK(event.find("RS35260005601001611379") == std::string::npos);

  // The list shows every number as ***** and its last four characters.
  Page all = List(cli, ada, std::string(kPath) + "?pageSize=100");
  REQUIRE(all.status == 200);
  CHECK(all.items.size() == 10);
  for (const picojson::value& v : all.items) {
    const auto& o = v.get<picojson::object>();
    std::string shown = o.at("bankAccount").get<std::string>();
    CAPTURE(shown);
    CHECK(shown.size() == 9);
    CHECK(shown.compare(0, 5, "*****") == 0);
    std::string full = QueryText(server, "SELECT bank_account FROM recipients WHERE id = '" +
                                             o.at("id").get<std::string>() + "'");
    CHECK(shown.substr(5) == full.substr(full.size() - 4));
    CHECK(o.count("countryName") == 1);
  }
  for (const Good& g : good) CHECK(all.body.find(g.stored) == std::string::npos);
}

TEST_CASE("an invalid recipient is 422 naming every bad field and writes nothing") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Add(cli, ada, "Existing One");
  const std::string before = Written(server);

  using Codes = std::map<std::string, std::string>;
  struct Bad {
    std::string body;
    Codes codes;
  };
  const std::vector<Bad> bad = {
      // Check digits.
      {Body("Mama", "RS", "RSD", "RS35260005601001611378"), {{"bankAccount", "invalid_format"}}},
      {Body("Mama", "RS", "RSD", "RS36260005601001611379"), {{"bankAccount", "invalid_format"}}},
      {Body("Mama", "RS", "RSD", "260-0056010016113-78"), {{"bankAccount", "invalid_format"}}},
      {Body("Mama", "BA", "BAM", "BA391290079401028495"), {{"bankAccount", "invalid_format"}}},
      {Body("Mama", "TR", "TRY", "TR330006100519786457841327"),
       {{"bankAccount", "invalid_format"}}},
      // Another country's IBAN, valid in itself.
      {Body("Mama", "RS", "RSD", "BA391290079401028494"), {{"bankAccount", "invalid_format"}}},
      {Body("Mama", "PL", "PLN", "PK36SCBL0000001123456702"), {{"bankAccount", "invalid_format"}}},
      {Body("Mama", "TR", "TRY", "RS35260005601001611379"), {{"bankAccount", "invalid_format"}}},
      // Domestic numbers exist only for RS and BA.
      {Body("Mama", "PL", "PLN", "260005601001611379"), {{"bankAccount", "invalid_format"}}},
      {Body("Mama", "RS", "RSD", "not an account"), {{"bankAccount", "invalid_format"}}},
      {Body("Mama", "RS", "RSD", ""), {{"bankAccount", "required"}}},
      {Body("Mama", "RS", "RSD", " - . "), {{"bankAccount", "required"}}},
      // Country and currency.
      {Body("Mama", "RS", "EUR", "RS35260005601001611379"), {{"currency", "currency_mismatch"}}},
      {Body("Mama", "PL", "EUR", "PL61109010140000071219812874"),
       {{"currency", "currency_mismatch"}}},
      {Body("Mama", "NO", "NOK", "86011117947"), {{"country", "unsupported"}}},
      {Body("Mama", "rs", "RSD", "RS35260005601001611379"), {{"country", "unsupported"}}},
      // Names.
      {Body("<b>Mama</b>", "RS", "RSD", "RS35260005601001611379"), {{"name", "invalid_format"}}},
      {Body(std::string(101, 'n'), "RS", "RSD", "RS35260005601001611379"), {{"name", "too_long"}}},
      {Body("", "RS", "RSD", "RS35260005601001611379"), {{"name", "required"}}},
      {Body("12345", "RS", "RSD", "RS35260005601001611379"), {{"name", "invalid_format"}}},
      {Body("Mama", "RS", "RSD", "RS35260005601001611379",
            R"(,"bankName":")" + std::string(201, 'b') + "\""),
       {{"bankName", "too_long"}}},
      // Several at once.
      {Body("<b>Mama</b>", "RS", "EUR", "RS35260005601001611378",
            R"(,"bankName":")" + std::string(201, 'b') + "\""),
       {{"name", "invalid_format"},
        {"currency", "currency_mismatch"},
        {"bankAccount", "invalid_format"},
        {"bankName", "too_long"}}},
      {"{}",
       {{"name", "required"},
        {"country", "required"},
        {"currency", "required"},
        {"bankAccount", "required"}}},
      // Wrong types.
      {R"({"name":7,"country":["RS"],"currency":{"c":"RSD"},"bankAccount":260005601001611379,)"
       R"("bankName":true})",
       {{"name", "invalid_type"},
        {"country", "invalid_type"},
        {"currency", "invalid_type"},
        {"bankAccount", "invalid_type"},
        {"bankName", "invalid_type"}}},
      {R"({"name":"Mama","country":"RS","currency":"RSD","bankAccount":null})",
       {{"bankAccount", "required"}}},
  };
  for (const Bad& b : bad) {
    CAPTURE(b.body);
    auto res = Create(cli, ada, b.body);
    REQUIRE(res);
    INFO(res->body);
    CHECK(res->status == 422);
    auto body = JsonBody(res->body);
    CHECK(GetStr(body, "error.code") == "validation_error");
    CHECK(DetailCodes(body) == b.codes);
    CHECK(Written(server) == before);
  }
}

TEST_CASE("a deleted recipient leaves its owner's list and cannot be deleted twice") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Account bob = RegisterAndLogin(cli, "bob@example.com");
  std::string gone = Add(cli, ada, "Mama Jasmina");
  std::string kept = Add(cli, ada, "Tata Petar");

  // Bob cannot delete Ada's recipient, nor learn it exists.
  std::string before = Written(server);
  auto foreign = cli.Delete(std::string(kPath) + "/" + gone, Bearer(bob.access));
  REQUIRE(foreign);
  CHECK(foreign->status == 404);
  CHECK(ErrorCode(foreign) == "not_found");
  CHECK(Written(server) == before);
  CHECK(FieldSet(List(cli, ada, kPath), "id") == std::set<std::string>{gone, kept});

  // Nor can anyone without a token.
  auto anonymous = cli.Delete(std::string(kPath) + "/" + gone);
  REQUIRE(anonymous);
  CHECK(anonymous->status == 401);
  CHECK(Written(server) == before);

  auto del = cli.Delete(std::string(kPath) + "/" + gone, Bearer(ada.access));
  REQUIRE(del);
  CHECK(del->status == 204);
  CHECK(del->body.empty());
  CHECK(Field(List(cli, ada, kPath), "id") == std::vector<std::string>{kept});
  // Hidden, not erased: its transactions keep its name.
  CHECK(QueryInt(server, "SELECT count(*) FROM recipients WHERE id = '" + gone +
                             "' AND deleted_at IS NOT NULL") == 1);

  before = Written(server);
  auto again = cli.Delete(std::string(kPath) + "/" + gone, Bearer(ada.access));
  REQUIRE(again);
  CHECK(again->status == 404);
  CHECK(ErrorCode(again) == "not_found");
  CHECK(Written(server) == before);

  for (const char* id : {"rcp_0000000000000000", "rcp_123", "RCP_0123456789ABCDEF",
                         "rcp_0123456789abcdeg", "rcp_0123456789abcdef0", "x", "%27%20OR%201=1"}) {
    CAPTURE(id);
    auto res = cli.Delete(std::string(kPath) + "/" + id, Bearer(ada.access));
    REQUIRE(res);
    CHECK(res->status == 404);
    CHECK(ErrorCode(res) == "not_found");
    CHECK(Written(server) == before);
  }
  CHECK(Field(List(cli, ada, kPath), "id") == std::vector<std::string>{kept});
}

TEST_CASE("the recipients list pages and sorts by name and never shows another user's") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Account bob = RegisterAndLogin(cli, "bob@example.com");
  std::map<std::string, std::string> id_of;
  for (const char* name : {"Dario", "Ana", "Emina", "Boris", "Cvijeta"}) {
    id_of[name] = Add(cli, ada, name);
  }
  std::string aaron = Add(cli, bob, "Aaron");
  std::string zoran = Add(cli, bob, "Zoran");
  // Created in the order Dario, Ana, Emina, Boris, Cvijeta, a minute apart.
  int minutes = 5;
  for (const char* name : {"Dario", "Ana", "Emina", "Boris", "Cvijeta"}) {
    WriteSql(server, "UPDATE recipients SET created_at = created_at - " +
                         std::to_string(60 * minutes--) + " WHERE id = '" + id_of[name] + "'");
  }

  const std::vector<std::string> by_name = {"Ana", "Boris", "Cvijeta", "Dario", "Emina"};
  const std::vector<std::string> by_name_desc(by_name.rbegin(), by_name.rend());
  Page asc = List(cli, ada, std::string(kPath) + "?sort=name");
  REQUIRE(asc.status == 200);
  CHECK(Field(asc, "name") == by_name);
  CHECK(PgInt(asc, "total") == 5);
  CHECK(Field(List(cli, ada, std::string(kPath) + "?sort=-name"), "name") == by_name_desc);
  CHECK(Field(List(cli, ada, std::string(kPath) + "?sort=name&dir=desc"), "name") == by_name_desc);
  // Newest first by default.
  CHECK(Field(List(cli, ada, kPath), "name") ==
        std::vector<std::string>{"Cvijeta", "Boris", "Emina", "Ana", "Dario"});
  CHECK(Field(List(cli, ada, std::string(kPath) + "?sort=createdAt"), "name") ==
        std::vector<std::string>{"Dario", "Ana", "Emina", "Boris", "Cvijeta"});

  Page p2 = List(cli, ada, std::string(kPath) + "?sort=name&pageSize=2&page=2");
  REQUIRE(p2.status == 200);
  CHECK(Field(p2, "name") == std::vector<std::string>{"Cvijeta", "Dario"});
  CHECK(PgInt(p2, "total") == 5);
  CHECK(PgInt(p2, "totalPages") == 3);
  CHECK(PgBool(p2, "hasNextPage"));
  CHECK(PgBool(p2, "hasPreviousPage"));

  Page tail = List(cli, ada, std::string(kPath) + "?sort=name&limit=2&offset=4");
  REQUIRE(tail.status == 200);
  CHECK(Field(tail, "name") == std::vector<std::string>{"Emina"});
  CHECK_FALSE(PgBool(tail, "hasNextPage"));
  CHECK(Pg(tail, "nextCursor").is<picojson::null>());

  // Cursor paging walks the same order.
  std::vector<std::string> walked;
  std::string cursor;
  std::string first_cursor;
  for (int guard = 0; guard < 10; ++guard) {
    std::string q = std::string(kPath) + "?sort=name&pageSize=2";
    if (!cursor.empty()) q += "&cursor=" + cursor;
    Page p = List(cli, ada, q);
    REQUIRE(p.status == 200);
    for (const std::string& n : Field(p, "name")) walked.push_back(n);
    picojson::value next = Pg(p, "nextCursor");
    if (next.is<picojson::null>()) break;
    REQUIRE(next.is<std::string>());
    cursor = next.get<std::string>();
    if (first_cursor.empty()) first_cursor = cursor;
  }
  CHECK(walked == by_name);
  REQUIRE(!first_cursor.empty());
  CHECK(
      List(cli, ada, std::string(kPath) + "?sort=-name&pageSize=2&cursor=" + first_cursor).status ==
      400);

  for (const char* q : {"sort=bankAccount", "sort=country", "sort=userId", "sort=name;DROP",
                        "sort=name&dir=up", "pageSize=0", "pageSize=101", "page=0"}) {
    CAPTURE(q);
    Page p = List(cli, ada, std::string(kPath) + "?" + q);
    CHECK(p.status == 400);
    CHECK(p.code == "bad_request");
  }

  // Each sees only their own.
  Page bobs = List(cli, bob, std::string(kPath) + "?sort=name");
  CHECK(Field(bobs, "id") == std::vector<std::string>{aaron, zoran});
  CHECK(PgInt(bobs, "total") == 2);
  Page adas = List(cli, ada, std::string(kPath) + "?pageSize=100");
  CHECK(adas.body.find(aaron) == std::string::npos);
  CHECK(adas.body.find(zoran) == std::string::npos);
  CHECK(adas.body.find(bob.id) == std::string::npos);
}

TEST_CASE("a user holds at most 200 recipients and the 201st is refused without a write") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  std::string first;
  for (int i = 0; i < 200; ++i) {
    std::string id = Add(cli, ada, "Recipient " + std::to_string(i));
    if (i == 0) first = id;
  }
  const std::string before = Written(server);
  auto over = Create(cli, ada, Body("One Too Many", "RS", "RSD", "RS35260005601001611379"));
  REQUIRE(over);
  CHECK(over->status == 409);
  CHECK(ErrorCode(over) == "conflict");
  CHECK(Written(server) == before);

  // A deleted one no longer counts.
  auto del = cli.Delete(std::string(kPath) + "/" + first, Bearer(ada.access));
  REQUIRE(del);
  CHECK(del->status == 204);
  Add(cli, ada, "One More");
  CHECK(PgInt(List(cli, ada, kPath), "total") == 200);
}

TEST_CASE("a bank name's 200-character limit counts characters, not bytes") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  std::string s200, s201;
  for (int i = 0; i < 200; ++i) s200 += "š";  // two bytes in UTF-8
  s201 = s200 + "š";

  auto ok = Create(cli, ada,
                   Body("Mama Jasmina", "RS", "RSD", "RS35260005601001611379",
                        R"(,"bankName":")" + s200 + "\""));
  REQUIRE(ok);
  INFO(ok->body);
  CHECK(ok->status == 201);
  if (ok->status == 201) CHECK(GetStr(JsonBody(ok->body), "data.bankName") == s200);

  const std::string before = Written(server);
  auto over = Create(cli, ada,
                     Body("Mama Jasmina", "RS", "RSD", "RS35260005601001611379",
                          R"(,"bankName":")" + s201 + "\""));
  REQUIRE(over);
  CHECK(over->status == 422);
  CHECK(DetailCodes(JsonBody(over->body)) ==
        std::map<std::string, std::string>{{"bankName", "too_long"}});
  CHECK(Written(server) == before);
}
