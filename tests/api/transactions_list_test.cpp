// Reading payments over HTTP: the list with its filters, sorts and three
// paging styles, one transaction, its receipt, the summary and the
// disclosure, each over a fresh Ledger (payment_setup.h: six payments of
// ada's in every state, two of bob's). Nobody ever sees another user's
// transactions, and a bad parameter is 400 without side effects.

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "accounts.h"
#include "harness.h"
#include "lists.h"
#include "payment_setup.h"

using namespace cairn::test;

namespace {

using Labels = std::vector<std::string>;

Labels Sorted(Labels v) {
  std::sort(v.begin(), v.end());
  return v;
}

// GETs /api/v1/transactions?query as ada; REQUIREs 200; the labels, sorted.
Labels Matching(httplib::Client& cli, const Ledger& l, const std::string& query) {
  Page p = List(cli, l.ada.who, std::string(kTransactionsPath) + "?" + query);
  INFO(query << " -> " << p.body);
  REQUIRE(p.status == 200);
  CHECK(PgInt(p, "total") == static_cast<int64_t>(p.items.size()));
  return Sorted(LabelsOf(l, p));
}

// Every query must be 400 bad_request and change nothing.
void ExpectBadQueries(const ServerProcess& server, httplib::Client& cli, const Ledger& l,
                      const std::vector<std::string>& queries) {
  std::string before = MoneyState(server);
  for (const std::string& q : queries) {
    Page p = List(cli, l.ada.who, std::string(kTransactionsPath) + "?" + q);
    INFO(q << " -> " << p.body);
    CHECK(p.status == 400);
    CHECK(p.code == "bad_request");
  }
  CHECK(MoneyState(server) == before);
}

const picojson::object& Item(const Page& p, size_t i) {
  REQUIRE(i < p.items.size());
  return p.items[i].get<picojson::object>();
}

std::string TxPath(const std::string& id) { return std::string(kTransactionsPath) + "/" + id; }

}  // namespace

TEST_CASE("the transaction list holds the caller's own payments, newest first, amounts negative") {
  ServerProcess server(PaymentServer("3600"));
  auto cli = server.Client();
  Ledger l = SeedLedger(server, cli);

  Page all = List(cli, l.ada.who, kTransactionsPath);
  REQUIRE(all.status == 200);
  CHECK(LabelsOf(l, all) == Labels{"R4", "Q2", "Q1", "R3", "R2", "R1"});
  CHECK(PgInt(all, "total") == 6);

  const picojson::object& r1 = Item(all, 5);
  CHECK(GetStr(r1, "type") == "remittance");
  CHECK(GetStr(r1, "status") == "completed");
  CHECK(Minor(r1, "amount") == -10'000);
  CHECK(GetStr(r1, "currency") == "NOK");
  CHECK(Minor(r1, "fee") == 50);
  CHECK(Minor(r1, "total") == 10'050);
  CHECK(GetStr(r1, "recipientName") == "Mama Jasmina");
  CHECK(r1.count("merchantName") == 0);
  CHECK(IsIsoTime(GetStr(r1, "createdAt")));
  CHECK(IsIsoTime(GetStr(r1, "updatedAt")));
  const picojson::object& q2 = Item(all, 1);
  CHECK(GetStr(q2, "type") == "qr_payment");
  CHECK(Minor(q2, "amount") == -150'000);
  CHECK(Minor(q2, "total") == 151'500);
  CHECK(GetStr(q2, "merchantName") == "Ahmetov Kebab");
  CHECK(q2.count("recipientName") == 0);
  CHECK(GetStr(Item(all, 3), "status") == "failed");
  CHECK(GetStr(Item(all, 0), "status") == "processing");

  // Bob sees his two and nothing of ada's, whatever he asks for.
  Page bobs = List(cli, l.bob.who, std::string(kTransactionsPath) + "?search=Mama");
  REQUIRE(bobs.status == 200);
  CHECK(Field(bobs, "id") == std::vector<std::string>{l.bob_tx[0]});
  Page bob_all = List(cli, l.bob.who, kTransactionsPath);
  CHECK(Field(bob_all, "id") == std::vector<std::string>{l.bob_tx[1], l.bob_tx[0]});
}

TEST_CASE("the transaction list filters by type, status and name, and refuses bad values") {
  ServerProcess server(PaymentServer("3600"));
  auto cli = server.Client();
  Ledger l = SeedLedger(server, cli);

  CHECK(Matching(cli, l, "type=remittance") == Labels{"R1", "R2", "R3", "R4"});
  CHECK(Matching(cli, l, "type=qr_payment") == Labels{"Q1", "Q2"});
  CHECK(Matching(cli, l, "status=completed") == Labels{"Q1", "Q2", "R1", "R2"});
  CHECK(Matching(cli, l, "status=failed") == Labels{"R3"});
  CHECK(Matching(cli, l, "status=processing") == Labels{"R4"});
  CHECK(Matching(cli, l, "search=jasm") == Labels{"R1", "R3", "R4"});
  CHECK(Matching(cli, l, "search=KEBAB") == Labels{"Q1", "Q2"});
  CHECK(Matching(cli, l, "search=ta%20P") == Labels{"R2"});
  CHECK(Matching(cli, l, "search=zz").empty());
  CHECK(Matching(cli, l, "search=%25%25").empty());  // a literal "%%", not a wildcard
  CHECK(Matching(cli, l, "type=remittance&status=completed&search=Mama") == Labels{"R1"});

  ExpectBadQueries(server, cli, l,
                   {"type=card", "type=Remittance", "status=pending", "status=COMPLETED",
                    "search=x", "search=" + std::string(101, 'a')});
}

TEST_CASE(
    "createdAt[gte] and createdAt[lte] take times and dates; a date as upper bound takes in "
    "the whole day") {
  ServerProcess server(PaymentServer("3600"));
  auto cli = server.Client();
  Ledger l = SeedLedger(server, cli);
  // Back in time: R1 2020-01-10T12:00:00Z, R2 2020-01-15T23:59:59Z, Q1
  // 2020-01-16T00:00:00Z. The others are from today.
  ExecSql(server, "UPDATE transactions SET created_at = 1578657600 WHERE id = '" + l.tx["R1"] + "'");
  ExecSql(server, "UPDATE transactions SET created_at = 1579132799 WHERE id = '" + l.tx["R2"] + "'");
  ExecSql(server, "UPDATE transactions SET created_at = 1579132800 WHERE id = '" + l.tx["Q1"] + "'");

  CHECK(Matching(cli, l, "createdAt[gte]=2020-01-15&createdAt[lte]=2020-01-15") == Labels{"R2"});
  CHECK(Matching(cli, l, "createdAt[lte]=2020-01-15") == Labels{"R1", "R2"});
  CHECK(Matching(cli, l, "createdAt%5Blte%5D=2020-01-15") == Labels{"R1", "R2"});
  CHECK(Matching(cli, l, "createdAt[lte]=2020-01-15T23:59:58Z") == Labels{"R1"});
  CHECK(Matching(cli, l, "createdAt[gte]=2020-01-15T23:59:59Z&createdAt[lte]=2020-01-16") ==
        Labels{"Q1", "R2"});
  CHECK(Matching(cli, l, "createdAt[gte]=2020-01-16T00:00:01Z") == Labels{"Q2", "R3", "R4"});
  CHECK(Matching(cli, l, "createdAt[gte]=2020-01-10T12:00:01.250Z&createdAt[lte]=2020-01-15") ==
        Labels{"R2"});
  CHECK(Matching(cli, l, "createdAt[gte]=2020-01-16&createdAt[lte]=2020-01-15").empty());

  ExpectBadQueries(server, cli, l,
                   {"createdAt[gte]=2020-13-01", "createdAt[gte]=yesterday",
                    "createdAt[lte]=2020-01-15T25:00:00Z", "createdAt[lte]=2020-01-15T10:00:00",
                    "createdAt[lte]=20200115", "createdAt[gte]=", "createdAt%5Bgte%5D=soon"});
}

TEST_CASE(
    "amount[gte] and amount[lte] filter the amount sent, before the fee, and refuse bad "
    "amounts") {
  ServerProcess server(PaymentServer("3600"));
  auto cli = server.Client();
  Ledger l = SeedLedger(server, cli);

  CHECK(Matching(cli, l, "amount[gte]=100&amount[lte]=100.13") == Labels{"R1", "R3"});
  // R1 cost 100.50 with its fee; its amount is 100.
  CHECK(Matching(cli, l, "amount[lte]=100") == Labels{"Q1", "R1"});
  CHECK(Matching(cli, l, "amount[gte]=100.01") == Labels{"Q2", "R2", "R3", "R4"});
  CHECK(Matching(cli, l, "amount[gte]=250&type=remittance") == Labels{"R2", "R4"});
  CHECK(Matching(cli, l, "amount%5Bgte%5D=1500") == Labels{"Q2"});
  CHECK(Matching(cli, l, "amount[gte]=1500.01").empty());

  ExpectBadQueries(server, cli, l,
                   {"amount[gte]=abc", "amount[gte]=-5", "amount[lte]=1.234",
                    "amount[lte]=", "amount[gte]=1e3", "amount[lte]=%2B5", "amount[gte]=0x10"});
}

TEST_CASE(
    "the transaction list sorts by amount either way and by createdAt; other fields are "
    "400") {
  ServerProcess server(PaymentServer("3600"));
  auto cli = server.Client();
  Ledger l = SeedLedger(server, cli);
  const std::string base = std::string(kTransactionsPath) + "?";

  CHECK(LabelsOf(l, List(cli, l.ada.who, base + "sort=amount")) ==
        Labels{"Q1", "R1", "R3", "R2", "R4", "Q2"});
  CHECK(LabelsOf(l, List(cli, l.ada.who, base + "sort=-amount")) ==
        Labels{"Q2", "R4", "R2", "R3", "R1", "Q1"});
  CHECK(LabelsOf(l, List(cli, l.ada.who, base + "sort=amount&dir=desc")) ==
        Labels{"Q2", "R4", "R2", "R3", "R1", "Q1"});
  CHECK(LabelsOf(l, List(cli, l.ada.who, base + "sort=createdAt")) ==
        Labels{"R1", "R2", "R3", "Q1", "Q2", "R4"});
  CHECK(LabelsOf(l, List(cli, l.ada.who, base + "sort=-amount&type=qr_payment")) ==
        Labels{"Q2", "Q1"});

  ExpectBadQueries(server, cli, l,
                   {"sort=fee", "sort=total", "sort=user_id", "sort=amount;drop",
                    "sort=", "sort=amount,amount", "sort=amount&dir=up"});
}

TEST_CASE("page, offset and cursor paging walk the caller's transactions once each") {
  ServerProcess server(PaymentServer("3600"));
  auto cli = server.Client();
  Ledger l = SeedLedger(server, cli);
  const std::string base = std::string(kTransactionsPath) + "?";

  Page p1 = List(cli, l.ada.who, base + "page=1&pageSize=4");
  CHECK(LabelsOf(l, p1) == Labels{"R4", "Q2", "Q1", "R3"});
  CHECK(PgInt(p1, "total") == 6);
  CHECK(PgInt(p1, "totalPages") == 2);
  CHECK(PgBool(p1, "hasNextPage"));
  CHECK_FALSE(PgBool(p1, "hasPreviousPage"));
  Page p2 = List(cli, l.ada.who, base + "page=2&pageSize=4");
  CHECK(LabelsOf(l, p2) == Labels{"R2", "R1"});
  CHECK_FALSE(PgBool(p2, "hasNextPage"));
  CHECK(PgBool(p2, "hasPreviousPage"));

  Page o1 = List(cli, l.ada.who, base + "limit=4&offset=0");
  CHECK(LabelsOf(l, o1) == Labels{"R4", "Q2", "Q1", "R3"});
  CHECK(PgInt(o1, "nextOffset") == 4);
  Page o2 = List(cli, l.ada.who, base + "limit=4&offset=4");
  CHECK(LabelsOf(l, o2) == Labels{"R2", "R1"});
  CHECK(Pg(o2, "nextOffset").is<picojson::null>());
  CHECK(List(cli, l.ada.who, base + "limit=4&offset=6").items.empty());

  // Cursors, in the default order (created in the same seconds: the tie is
  // broken by insertion) and by amount, two or four at a time.
  for (const auto& [sort, expected] :
       {std::pair<std::string, Labels>{"", {"R4", "Q2", "Q1", "R3", "R2", "R1"}},
        std::pair<std::string, Labels>{"&sort=amount", {"Q1", "R1", "R3", "R2", "R4", "Q2"}},
        std::pair<std::string, Labels>{"&sort=-createdAt&type=remittance",
                                       {"R4", "R3", "R2", "R1"}}}) {
    for (int size : {2, 4}) {
      CAPTURE(sort);
      CAPTURE(size);
      std::string first = base + "pageSize=" + std::to_string(size) + sort;
      Labels walked;
      Page p = List(cli, l.ada.who, first);
      for (int pages = 0; pages < 10; ++pages) {
        REQUIRE(p.status == 200);
        for (const std::string& label : LabelsOf(l, p)) walked.push_back(label);
        picojson::value next = Pg(p, "nextCursor");
        if (next.is<picojson::null>()) break;
        p = List(cli, l.ada.who, first + "&cursor=" + next.get<std::string>());
      }
      CHECK(walked == expected);
    }
  }

  // Cursor style from the first page (an empty cursor): the same walk, and
  // no page says a total, which would mean counting every row.
  Labels walked;
  Page p = List(cli, l.ada.who, base + "pageSize=4&cursor=");
  for (int pages = 0; pages < 10; ++pages) {
    REQUIRE(p.status == 200);
    CHECK(p.pagination.count("total") == 0);
    CHECK(p.pagination.count("totalPages") == 0);
    for (const std::string& label : LabelsOf(l, p)) walked.push_back(label);
    picojson::value next = Pg(p, "nextCursor");
    CHECK(PgBool(p, "hasNextPage") == !next.is<picojson::null>());
    if (next.is<picojson::null>()) break;
    p = List(cli, l.ada.who, base + "pageSize=4&cursor=" + next.get<std::string>());
  }
  CHECK(walked == Labels{"R4", "Q2", "Q1", "R3", "R2", "R1"});

  Page sorted = List(cli, l.ada.who, base + "pageSize=2&sort=amount");
  std::string amount_cursor = Pg(sorted, "nextCursor").get<std::string>();
  ExpectBadQueries(server, cli, l,
                   {"pageSize=0", "page=0", "offset=-1", "limit=abc", "cursor=not-a-cursor",
                    "pageSize=2&cursor=" + amount_cursor});  // made for another sort
}

TEST_CASE("a transaction and its receipt are the owner's alone") {
  ServerProcess server(PaymentServer("3600"));
  auto cli = server.Client();
  Ledger l = SeedLedger(server, cli);
  const Account& ada = l.ada.who;

  picojson::object r1 = DataOf(cli.Get(TxPath(l.tx["R1"]), Bearer(ada.access)), 200);
  CHECK(GetStr(r1, "status") == "completed");
  CHECK(Minor(r1, "sendAmount") == 10'000);
  CHECK(IsIsoTime(GetStr(r1, "completedAt")));

  // R4 is still processing: its receipt says when it should arrive.
  picojson::object r4 = DataOf(cli.Get(TxPath(l.tx["R4"]) + "/receipt", Bearer(ada.access)), 200);
  CHECK(GetStr(r4, "transactionId") == l.tx["R4"]);
  CHECK(GetStr(r4, "reference") == l.tx["R4"]);
  CHECK(IsIsoTime(GetStr(r4, "date")));
  CHECK(GetStr(r4, "type") == "remittance");
  CHECK(Minor(r4, "amount") == 30'000);
  CHECK(GetStr(r4, "currency") == "NOK");
  CHECK(Minor(r4, "fee") == 150);
  CHECK(Minor(r4, "total") == 30'150);
  CHECK(Get(r4, "exchangeRate").get<double>() == 11.7);
  CHECK(Minor(r4, "receiveAmount") == 351'000);
  CHECK(GetStr(r4, "receiveCurrency") == "RSD");
  CHECK(GetStr(r4, "recipient.name") == "Mama Jasmina");
  CHECK(GetStr(r4, "recipient.country") == "RS");
  CHECK(r4.count("merchant") == 0);
  CHECK(GetStr(r4, "status") == "processing");
  CHECK(GetStr(r4, "estimatedCompletion") == "2-4 business days");
  CHECK(Get(r4, "completedAt").is<picojson::null>());

  picojson::object q1 = DataOf(cli.Get(TxPath(l.tx["Q1"]) + "/receipt", Bearer(ada.access)), 200);
  CHECK(GetStr(q1, "type") == "qr_payment");
  CHECK(GetStr(q1, "merchant.id") == l.merchant_id);
  CHECK(GetStr(q1, "merchant.name") == "Ahmetov Kebab");
  CHECK(q1.count("recipient") == 0);
  CHECK(q1.count("exchangeRate") == 0);
  CHECK(GetStr(q1, "status") == "completed");
  CHECK(Get(q1, "estimatedCompletion").is<picojson::null>());
  CHECK(IsIsoTime(GetStr(q1, "completedAt")));

  picojson::object r3 = DataOf(cli.Get(TxPath(l.tx["R3"]) + "/receipt", Bearer(ada.access)), 200);
  CHECK(GetStr(r3, "status") == "failed");
  CHECK(Get(r3, "estimatedCompletion").is<picojson::null>());
  CHECK(Get(r3, "completedAt").is<picojson::null>());

  // Bob, an unknown id and a malformed one: 404 for both views.
  for (const auto& [who, id] : {std::pair<Account, std::string>{l.bob.who, l.tx["R1"]},
                                {l.bob.who, l.tx["Q1"]},
                                {ada, l.bob_tx[0]},
                                {ada, "tx_rem_0123456789abcdef"},
                                {ada, "tx_nope"}}) {
    CAPTURE(id);
    for (const char* suffix : {"", "/receipt"}) {
      auto res = cli.Get(TxPath(id) + suffix, Bearer(who.access));
      REQUIRE(res);
      CHECK(res->status == 404);
      CHECK(ErrorCode(res) == "not_found");
    }
  }
}

TEST_CASE("the summary counts and sums the payments that did not fail, all time and this month") {
  ServerProcess server(PaymentServer("3600"));
  auto cli = server.Client();
  Ledger l = SeedLedger(server, cli);

  auto summary = [&](const Account& who) {
    return DataOf(cli.Get(std::string(kTransactionsPath) + "/summary", Bearer(who.access)), 200);
  };
  auto totals = [](const picojson::object& s, const std::string& period) {
    return std::to_string(Get(s, period + ".totalCount").get<int64_t>()) + " sent " +
           std::to_string(Minor(s, period + ".totalSent")) + " paid " +
           std::to_string(Minor(s, period + ".totalPaid")) + " rem " +
           std::to_string(Get(s, period + ".remittanceCount").get<int64_t>()) + " qr " +
           std::to_string(Get(s, period + ".qrPaymentCount").get<int64_t>());
  };
  // R3 failed: 100 + 250 + 300 sent, 50 + 1500 paid.
  picojson::object s = summary(l.ada.who);
  CHECK(totals(s, "allTime") == "5 sent 65000 paid 155000 rem 3 qr 2");
  CHECK(totals(s, "thisMonth") == "5 sent 65000 paid 155000 rem 3 qr 2");
  picojson::object b = summary(l.bob.who);
  CHECK(totals(b, "allTime") == "2 sent 10000 paid 5000 rem 1 qr 1");

  // R2 moved to 2020 leaves this month.
  ExecSql(server, "UPDATE transactions SET created_at = 1579132799 WHERE id = '" + l.tx["R2"] + "'");
  s = summary(l.ada.who);
  CHECK(totals(s, "allTime") == "5 sent 65000 paid 155000 rem 3 qr 2");
  CHECK(totals(s, "thisMonth") == "4 sent 40000 paid 155000 rem 2 qr 2");
}

TEST_CASE("a disclosure quotes a payment under the payment's rules and changes nothing") {
  ServerProcess server(PaymentServer("3600"));
  auto cli = server.Client();
  Ledger l = SeedLedger(server, cli);
  const std::string path = std::string(kTransactionsPath) + "/disclosure";
  auto ask = [&](const std::string& body) {
    return PostJson(cli, path, body, Bearer(l.ada.who.access));
  };
  std::string before = MoneyState(server);

  picojson::object rem = DataOf(
      ask(R"({"type":"remittance","amount":1000,"recipientId":")" + l.ada.recipient_id + "\"}"),
      200);
  CHECK(GetStr(rem, "type") == "remittance");
  CHECK(Minor(rem, "amount") == 100'000);
  CHECK(Minor(rem, "fee") == 500);
  CHECK(Get(rem, "feePercentage").get<double>() == 0.5);
  CHECK(Get(rem, "exchangeRate").get<double>() == 11.7);
  CHECK(Minor(rem, "receiveAmount") == 1'170'000);
  CHECK(GetStr(rem, "receiveCurrency") == "RSD");
  CHECK(GetStr(rem, "estimatedDelivery") == "2-4 business days");
  CHECK(Minor(rem, "totalCost") == 100'500);

  picojson::object qr = DataOf(ask(R"({"type":"qr_payment","amount":129})"), 200);
  CHECK(Minor(qr, "fee") == 129);
  CHECK(Get(qr, "feePercentage").get<double>() == 1);
  CHECK(GetStr(qr, "estimatedDelivery") == "Instant");
  CHECK(Minor(qr, "totalCost") == 13'029);
  CHECK(qr.count("exchangeRate") == 0);
  CHECK(qr.count("receiveAmount") == 0);

  struct Bad {
    std::string body;
    int status;
    const char* field;
    const char* code;
  };
  const std::string rcp = R"(,"recipientId":")" + l.ada.recipient_id + "\"";
  for (const Bad& b :
       {Bad{R"({"type":"remittance","amount":1000})", 422, "recipientId", "required"},
        Bad{R"({"type":"card","amount":1000})", 422, "type", "invalid_value"},
        Bad{R"({"amount":1000})", 422, "type", "required"},
        Bad{R"({"type":"remittance","amount":99.99)" + rcp + "}", 422, "amount", "out_of_range"},
        Bad{R"({"type":"qr_payment","amount":100000.01})", 422, "amount", "out_of_range"},
        Bad{R"({"type":"qr_payment","amount":1.001})", 422, "amount", "too_precise"},
        Bad{R"({"type":"remittance","amount":1000,"currency":"EUR")" + rcp + "}", 422, "currency",
            "unsupported_currency"},
        Bad{R"({"type":"remittance","amount":1000,"recipientId":")" + l.bob.recipient_id + "\"}",
            404, "", ""},
        Bad{R"({"type":"remittance","amount":1000,"recipientId":"rcp_0123456789abcdef"})", 404, "",
            ""}}) {
    auto res = ask(b.body);
    REQUIRE(res);
    INFO(b.body << " -> " << res->body);
    CHECK(res->status == b.status);
    if (b.field[0] != '\0') CHECK(DetailCodes(JsonBody(res->body))[b.field] == b.code);
  }
  CHECK(MoneyState(server) == before);
}
