// Linked bank accounts over HTTP: linking opens a sandbox account with a
// MOD11 number, refusals open nothing, each user sees and changes only their
// own accounts, a refresh reads what the bank holds now, and there is one
// primary account per user. Idempotency-Key: bank_accounts_idempotency_test.cpp.

#include <doctest/doctest.h>

#include <ctime>
#include <set>
#include <string>
#include <vector>

#include "accounts.h"
#include "harness.h"
#include "lists.h"
#include "payments.h"

using namespace cairn::test;

namespace {

std::string Path(const std::string& id, const char* action) {
  return std::string(kBankAccounts) + "/" + id + "/" + action;
}

httplib::Result PostAs(httplib::Client& cli, const Account& who, const std::string& path) {
  return cli.Post(path, Bearer(who.access), "", "application/json");
}

// The bank names of a list's items, in order: "Charlie,Bravo,Alpha".
std::string Names(const Page& p) {
  std::string out;
  for (const std::string& name : Field(p, "bankName")) out += (out.empty() ? "" : ",") + name;
  return out;
}

// The balances of a list's items, in order.
std::vector<double> Balances(const Page& p) {
  std::vector<double> out;
  for (picojson::value v : p.items) {
    picojson::value b = v.get<picojson::object>().at("balance");
    REQUIRE(b.is<double>());
    out.push_back(b.get<double>());
  }
  return out;
}

long long Primaries(const ServerProcess& server, const std::string& user_id) {
  return QueryInt(server,
                  "SELECT count(*) FROM bank_accounts WHERE is_primary = 1 AND "
                  "user_id = '" +
                      user_id + "'");
}

}  // namespace

TEST_CASE("linking opens a sandbox account with a MOD11 number; the first one is primary") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");

  auto res = LinkAccount(cli, ada, LinkBody("DNB", R"(,"currency":"NOK","initialBalance":1234.5)"));
  REQUIRE(res);
  INFO(res->body);
  REQUIRE(res->status == 201);
  CHECK(res->body.find("\"balance\":1234.5,") != std::string::npos);
  auto first = Get(JsonBody(res->body), "data").get<picojson::object>();
  std::string id = GetStr(first, "id");
  std::string number = GetStr(first, "accountNumber");
  CHECK(IsHexId(id, "ba_"));
  CHECK(GetStr(first, "bankName") == "DNB");
  CHECK(IsMod11AccountNumber(number));
  CHECK(Number(first, "balance") == 1234.5);
  CHECK(GetStr(first, "currency") == "NOK");
  CHECK(Get(first, "isPrimary") == picojson::value(true));
  CHECK(IsIsoTime(GetStr(first, "balanceRefreshedAt")));
  CHECK(IsIsoTime(GetStr(first, "createdAt")));

  const std::string row = " FROM bank_accounts WHERE id = '" + id + "'";
  CHECK(QueryText(server, "SELECT user_id" + row) == ada.id);
  CHECK(QueryText(server, "SELECT account_number" + row) == number);
  CHECK(QueryInt(server, "SELECT balance" + row) == 123450);
  CHECK(QueryInt(server, "SELECT is_primary" + row) == 1);
  CHECK(QueryInt(server, "SELECT balance FROM sandbox_accounts WHERE account_number = '" + number +
                             "'") == 123450);
  CHECK(QueryInt(server,
                 "SELECT count(*) FROM events WHERE type = 'bank_account.linked' AND "
                 "user_id = '" +
                     ada.id + "' AND data LIKE '%" + id + "%'") == 1);
  CHECK(PaymentRows(server) == "bank_accounts=1 sandbox_accounts=1 events=1 idempotency_keys=0");

  // Later accounts are not primary; the balance defaults to 50000, and the
  // bounds 0 and 1000000 and two decimals are all accepted.
  auto second = MustLink(cli, ada, "Sbanken");
  CHECK(Number(second, "balance") == 50000);
  CHECK(Get(second, "isPrimary") == picojson::value(false));
  CHECK(Number(MustLink(cli, ada, "Zero", R"(,"initialBalance":0)"), "balance") == 0);
  CHECK(Number(MustLink(cli, ada, "Max", R"(,"initialBalance":1000000)"), "balance") == 1000000);
  CHECK(Number(MustLink(cli, ada, "Cents", R"(,"initialBalance":100.10)"), "balance") == 100.1);
  auto longest = MustLink(cli, ada, std::string(100, 'b'));
  CHECK(GetStr(longest, "bankName") == std::string(100, 'b'));
  CHECK(GetStr(second, "accountNumber") != number);
  CHECK(QueryInt(server, "SELECT count(*) FROM sandbox_accounts WHERE balance = 10010") == 1);
  CHECK(QueryInt(server, "SELECT count(*) FROM events WHERE type = 'bank_account.linked'") == 6);
  CHECK(Primaries(server, ada.id) == 1);
}

TEST_CASE("an invalid link is refused and opens no account, at the bank or here") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  const std::string before = PaymentRows(server);

  struct Bad {
    std::string body;
    const char* field;
  };
  const std::vector<Bad> bad = {
      {R"({})", "bankName"},
      {R"({"initialBalance":100})", "bankName"},
      {LinkBody(""), "bankName"},
      {LinkBody(std::string(101, 'b')), "bankName"},
      {R"({"bankName":7})", "bankName"},
      {LinkBody("DNB", R"(,"currency":"EUR")"), "currency"},
      {LinkBody("DNB", R"(,"currency":"nok")"), "currency"},
      {LinkBody("DNB", R"(,"currency":7)"), "currency"},
      {LinkBody("DNB", R"(,"initialBalance":-1)"), "initialBalance"},
      {LinkBody("DNB", R"(,"initialBalance":-0.01)"), "initialBalance"},
      {LinkBody("DNB", R"(,"initialBalance":1000000.01)"), "initialBalance"},
      {LinkBody("DNB", R"(,"initialBalance":12.345)"), "initialBalance"},
      {LinkBody("DNB", R"(,"initialBalance":"100")"), "initialBalance"},
      {LinkBody("DNB", R"(,"initialBalance":true)"), "initialBalance"},
      {LinkBody("DNB", R"(,"initialBalance":[100])"), "initialBalance"},
  };
  for (const Bad& b : bad) {
    CAPTURE(b.body);
    auto res = LinkAccount(cli, ada, b.body);
    REQUIRE(res);
    CHECK(res->status == 422);
    auto body = JsonBody(res->body);
    CHECK(GetStr(body, "error.code") == "validation_error");
    CHECK(DetailCodes(body).count(b.field) == 1);
    CHECK(PaymentRows(server) == before);
  }

  for (const std::string& malformed :
       {std::string(R"({"bankName":"DNB")"), std::string(R"({"bankName":"DNB"} x)"),
        std::string(R"(["DNB"])"), std::string("bankName=DNB")}) {
    CAPTURE(malformed);
    auto res = LinkAccount(cli, ada, malformed);
    REQUIRE(res);
    CHECK(res->status == 400);
    CHECK(ErrorCode(res) == "bad_request");
  }
  CHECK(PaymentRows(server) == before);

  auto anonymous = PostJson(cli, kBankAccounts, LinkBody("DNB"));
  REQUIRE(anonymous);
  CHECK(anonymous->status == 401);
  CHECK(ErrorCode(anonymous) == "unauthorized");
  auto forged = PostJson(cli, kBankAccounts, LinkBody("DNB"), Bearer("not-a-token"));
  REQUIRE(forged);
  CHECK(forged->status == 401);
  CHECK(PaymentRows(server) == before);
  CHECK(before == "bank_accounts=0 sandbox_accounts=0 events=0 idempotency_keys=0");
}

TEST_CASE("a null initialBalance is the field left out: the default opening balance") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  auto res = LinkAccount(cli, ada, LinkBody("DNB", R"(,"initialBalance":null)"));
  REQUIRE(res);
  INFO(res->body);
  CHECK(res->status == 201);
  CHECK(QueryInt(server, "SELECT balance FROM sandbox_accounts") == 5'000'000);
  // A null bank name is a missing one: 422 required, nothing more opened.
  auto bad = LinkAccount(cli, ada, R"({"bankName":null})");
  REQUIRE(bad);
  CHECK(bad->status == 422);
  CHECK(DetailCodes(JsonBody(bad->body))["bankName"] == "required");
  CHECK(PaymentRows(server) == "bank_accounts=1 sandbox_accounts=1 events=1 idempotency_keys=0");
}

TEST_CASE("a bank name's 100-character limit counts characters, not bytes") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  std::string name;
  for (int i = 0; i < 100; ++i) name += "\xc3\xb8";  // ø, two bytes in UTF-8
  auto linked = MustLink(cli, ada, name);
  CHECK(GetStr(linked, "bankName") == name);

  auto res = LinkAccount(cli, ada, LinkBody(name + "\xc3\xb8"));
  REQUIRE(res);
  CHECK(res->status == 422);
  CHECK(QueryInt(server, "SELECT count(*) FROM bank_accounts") == 1);
}

TEST_CASE("the 11th bank account is 409 conflict and opens nothing") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  for (int i = 0; i < 10; ++i) MustLink(cli, ada, "Bank " + std::to_string(i));
  const std::string before = PaymentRows(server);
  CHECK(before == "bank_accounts=10 sandbox_accounts=10 events=10 idempotency_keys=0");

  auto res = LinkAccount(cli, ada, LinkBody("One too many"), "eleventh");
  REQUIRE(res);
  CHECK(res->status == 409);
  CHECK(ErrorCode(res) == "conflict");
  CHECK(PaymentRows(server) == before);

  // The cap is per user.
  Account bob = RegisterAndLogin(cli, "bob@example.com");
  MustLink(cli, bob, "Bob's bank");
}

TEST_CASE("the list holds only the caller's accounts, newest first, paged as API.md §7 says") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Account bob = RegisterAndLogin(cli, "bob@example.com");
  std::string a = GetStr(MustLink(cli, ada, "Alpha", R"(,"initialBalance":300)"), "id");
  std::string bobs = GetStr(MustLink(cli, bob, "Bobs", R"(,"initialBalance":5)"), "id");
  std::string b = GetStr(MustLink(cli, ada, "Bravo", R"(,"initialBalance":100)"), "id");
  std::string c = GetStr(MustLink(cli, ada, "Charlie", R"(,"initialBalance":200)"), "id");

  Page all = List(cli, ada, kBankAccounts);
  REQUIRE(all.status == 200);
  CHECK(Names(all) == "Charlie,Bravo,Alpha");
  CHECK(Field(all, "id") == std::vector<std::string>{c, b, a});
  CHECK(all.body.find(bobs) == std::string::npos);
  CHECK(PgInt(all, "page") == 1);
  CHECK(PgInt(all, "pageSize") == 20);
  CHECK(PgInt(all, "total") == 3);
  CHECK(PgInt(all, "totalPages") == 1);
  CHECK_FALSE(PgBool(all, "hasNextPage"));
  CHECK_FALSE(PgBool(all, "hasPreviousPage"));
  CHECK(Pg(all, "nextCursor").is<picojson::null>());

  // Two pages by cursor hold the three accounts once each.
  Page first = List(cli, ada, std::string(kBankAccounts) + "?pageSize=2");
  REQUIRE(first.items.size() == 2);
  CHECK(PgBool(first, "hasNextPage"));
  REQUIRE(Pg(first, "nextCursor").is<std::string>());
  Page rest = List(cli, ada,
                   std::string(kBankAccounts) +
                       "?pageSize=2&cursor=" + Pg(first, "nextCursor").get<std::string>());
  REQUIRE(rest.status == 200);
  REQUIRE(rest.items.size() == 1);
  CHECK_FALSE(PgBool(rest, "hasNextPage"));
  std::set<std::string> seen = FieldSet(first, "id");
  seen.insert(Field(rest, "id")[0]);
  CHECK(seen == std::set<std::string>{a, b, c});

  Page bobs_list = List(cli, bob, kBankAccounts);
  CHECK(Field(bobs_list, "id") == std::vector<std::string>{bobs});
  CHECK(PgInt(bobs_list, "total") == 1);

  auto anonymous = cli.Get(kBankAccounts);
  REQUIRE(anonymous);
  CHECK(anonymous->status == 401);
}

TEST_CASE("bank accounts sort by balance and bank name; an unknown sort field is 400") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  std::string a = GetStr(MustLink(cli, ada, "Alpha", R"(,"initialBalance":300)"), "id");
  std::string c = GetStr(MustLink(cli, ada, "Charlie", R"(,"initialBalance":100.5)"), "id");
  std::string b = GetStr(MustLink(cli, ada, "Bravo", R"(,"initialBalance":200)"), "id");
  const std::string path = std::string(kBankAccounts) + "?sort=";

  Page by_balance = List(cli, ada, path + "balance");
  CHECK(Names(by_balance) == "Charlie,Bravo,Alpha");
  CHECK(Field(by_balance, "id") == std::vector<std::string>{c, b, a});
  CHECK(Balances(by_balance) == std::vector<double>{100.5, 200, 300});
  CHECK(Names(List(cli, ada, path + "-balance")) == "Alpha,Bravo,Charlie");
  CHECK(Names(List(cli, ada, path + "balance&dir=desc")) == "Alpha,Bravo,Charlie");
  CHECK(Names(List(cli, ada, path + "bankName")) == "Alpha,Bravo,Charlie");
  CHECK(Names(List(cli, ada, path + "-bankName")) == "Charlie,Bravo,Alpha");

  const std::string before = PaymentRows(server);
  for (const std::string& q : {path + "unknownField", path + "balance,balance", path + "user_id",
                               std::string(kBankAccounts) + "?dir=sideways"}) {
    CAPTURE(q);
    Page p = List(cli, ada, q);
    CHECK(p.status == 400);
    CHECK(p.code == "bad_request");
  }
  CHECK(PaymentRows(server) == before);
}

TEST_CASE("a refresh reads the balance the bank holds now and records it") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  auto linked = MustLink(cli, ada, "DNB", R"(,"initialBalance":1234.5)");
  std::string id = GetStr(linked, "id");
  std::string number = GetStr(linked, "accountNumber");

  auto same = PostAs(cli, ada, Path(id, "refresh"));
  REQUIRE(same);
  INFO(same->body);
  REQUIRE(same->status == 200);
  CHECK(GetStr(JsonBody(same->body), "data.id") == id);
  CHECK(Number(JsonBody(same->body), "data.balance") == 1234.5);

  // The bank's books change behind Cairn's back; the stored read is old.
  ExecSql(server,
          "UPDATE sandbox_accounts SET balance = 99999 WHERE account_number = '" + number + "'");
  ExecSql(server, "UPDATE bank_accounts SET balance_refreshed_at = 1000 WHERE id = '" + id + "'");
  long long before = std::time(nullptr);
  auto fresh = PostAs(cli, ada, Path(id, "refresh"));
  REQUIRE(fresh);
  REQUIRE(fresh->status == 200);
  auto body = JsonBody(fresh->body);
  CHECK(Number(body, "data.balance") == 999.99);
  CHECK(IsIsoTime(GetStr(body, "data.balanceRefreshedAt")));
  CHECK(GetStr(body, "data.balanceRefreshedAt") != "1970-01-01T00:16:40Z");
  CHECK(GetStr(body, "data.createdAt") == GetStr(linked, "createdAt"));
  const std::string row = " FROM bank_accounts WHERE id = '" + id + "'";
  CHECK(QueryInt(server, "SELECT balance" + row) == 99999);
  CHECK(QueryInt(server, "SELECT balance_refreshed_at" + row) >= before);
  CHECK(Balances(List(cli, ada, kBankAccounts)) == std::vector<double>{999.99});
}

TEST_CASE("another user's or a malformed account id cannot be refreshed or made primary") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Account bob = RegisterAndLogin(cli, "bob@example.com");
  auto adas = MustLink(cli, ada, "DNB");
  MustLink(cli, ada, "Sbanken");
  MustLink(cli, bob, "Nordea");
  std::string id = GetStr(adas, "id");
  // A refresh that got through would now change Ada's stored balance.
  ExecSql(server, "UPDATE sandbox_accounts SET balance = 1 WHERE account_number = '" +
                      GetStr(adas, "accountNumber") + "'");
  const std::string ada_before = BankAccountRows(server, ada.id);
  const std::string bob_before = BankAccountRows(server, bob.id);

  for (const std::string& target :
       {id, std::string("ba_0000000000000000"), std::string("x"), std::string("not-an-id"),
        std::string("ba_XYZ"), std::string("ba_") + std::string(200, 'a')}) {
    for (const char* action : {"refresh", "primary"}) {
      CAPTURE(target);
      CAPTURE(action);
      auto res = PostAs(cli, bob, Path(target, action));
      REQUIRE(res);
      CHECK(res->status == 404);
      CHECK(ErrorCode(res) == "not_found");
      CHECK(res->body.find(GetStr(adas, "accountNumber")) == std::string::npos);
    }
  }
  auto anonymous = cli.Post(Path(id, "refresh"), "", "application/json");
  REQUIRE(anonymous);
  CHECK(anonymous->status == 401);
  CHECK(BankAccountRows(server, ada.id) == ada_before);
  CHECK(BankAccountRows(server, bob.id) == bob_before);
  CHECK(Primaries(server, ada.id) == 1);
  CHECK(Primaries(server, bob.id) == 1);
}

TEST_CASE("choosing a primary account moves the mark: one primary per user") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Account bob = RegisterAndLogin(cli, "bob@example.com");
  std::string a = GetStr(MustLink(cli, ada, "Alpha"), "id");
  std::string b = GetStr(MustLink(cli, ada, "Bravo"), "id");
  std::string c = GetStr(MustLink(cli, ada, "Charlie"), "id");
  std::string bobs = GetStr(MustLink(cli, bob, "Bobs"), "id");
  const std::string bob_before = BankAccountRows(server, bob.id);

  auto is_primary = [&](const std::string& id) {
    return QueryInt(server, "SELECT is_primary FROM bank_accounts WHERE id = '" + id + "'");
  };
  for (int round = 0; round < 2; ++round) {  // the second time it already is
    CAPTURE(round);
    auto res = PostAs(cli, ada, Path(b, "primary"));
    REQUIRE(res);
    INFO(res->body);
    REQUIRE(res->status == 200);
    CHECK(GetStr(JsonBody(res->body), "data.id") == b);
    CHECK(Get(JsonBody(res->body), "data.isPrimary") == picojson::value(true));
    CHECK(Primaries(server, ada.id) == 1);
    CHECK(is_primary(b) == 1);
    CHECK(is_primary(a) == 0);
    CHECK(is_primary(c) == 0);
  }
  Page list = List(cli, ada, std::string(kBankAccounts) + "?sort=bankName");
  CHECK(Field(list, "isPrimary") == std::vector<std::string>{"false", "true", "false"});

  // Bob's primary account is his own affair.
  CHECK(BankAccountRows(server, bob.id) == bob_before);
  CHECK(is_primary(bobs) == 1);

  auto back = PostAs(cli, ada, Path(a, "primary"));
  REQUIRE(back);
  CHECK(back->status == 200);
  CHECK(is_primary(a) == 1);
  CHECK(is_primary(b) == 0);
  CHECK(Primaries(server, ada.id) == 1);
}
