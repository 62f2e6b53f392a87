// QR payments over HTTP: completed at once with a 1 % fee rounded half-up,
// the limits and the merchant, account and balance rules refusing without
// changing anything, and the money invariant under concurrency: payments
// racing for one balance never overdraw it, and duplicates racing with one
// Idempotency-Key make one payment.

#include <doctest/doctest.h>

#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "accounts.h"
#include "harness.h"
#include "payment_setup.h"

using namespace cairn::test;

namespace {

// A payer with one account holding balance, and a merchant (another user).
struct Shop {
  Account payer;
  std::string account_id;
  Account owner;
  std::string merchant_id;
};

Shop OpenShop(httplib::Client& cli, const std::string& balance) {
  Shop s;
  s.owner = RegisterAndLogin(cli, "kebab@example.com");
  s.merchant_id = RegisterMerchant(cli, s.owner);
  s.payer = RegisterAndLogin(cli, "ada@example.com");
  s.account_id = LinkAccountWith(cli, s.payer, balance);
  return s;
}

// Sends body as a QR payment that must be refused with status and code (and
// field's detail code when given), and checks that it changed nothing.
void ExpectRefused(const ServerProcess& server, httplib::Client& cli, const Account& who,
                   const std::string& body, int status, const std::string& code,
                   const std::string& field = "", const std::string& field_code = "") {
  static int n = 0;
  std::string before = MoneyState(server);
  auto res = PayQr(cli, who, body, "refused-" + std::to_string(++n));
  REQUIRE(res);
  INFO(body << " -> " << res->status << " " << res->body);
  CHECK(res->status == status);
  CHECK(ErrorCode(res) == code);
  if (!field.empty()) CHECK(DetailCodes(JsonBody(res->body))[field] == field_code);
  CHECK(MoneyState(server) == before);
}

struct Answer {
  int status = -1;
  std::string body;
  bool replayed = false;
};

// n clients each send one QR payment at the same moment; key, when not
// empty, is sent as every request's Idempotency-Key.
std::vector<Answer> Race(const ServerProcess& server, const Account& who, const std::string& body,
                         int n, const std::string& key = "") {
  std::vector<Answer> answers(n);
  std::latch start(n);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      httplib::Client cli = server.Client();
      start.arrive_and_wait();
      auto res = PayQr(cli, who, body, key);
      if (!res) return;
      answers[i] = {res->status, res->body, res->get_header_value("Idempotent-Replayed") == "true"};
    });
  }
  for (std::thread& t : threads) t.join();
  return answers;
}

int CountStatus(const std::vector<Answer>& answers, int status) {
  int n = 0;
  for (const Answer& a : answers) n += a.status == status;
  return n;
}

}  // namespace

TEST_CASE("a QR payment is completed at once with a 1 % fee rounded half-up") {
  ServerProcess server;
  auto cli = server.Client();
  Shop shop = OpenShop(cli, "1000");

  struct Row {
    const char* amount;
    int64_t minor, fee, total;
  };
  int64_t spent = 0;
  for (const Row& r : {Row{"129", 12900, 129, 13029}, Row{"1.50", 150, 2, 152},
                       Row{"1.49", 149, 1, 150}, Row{"1", 100, 1, 101}}) {
    CAPTURE(r.amount);
    auto res = PayQr(cli, shop.payer, QrBody(shop.merchant_id, r.amount));
    picojson::object d = DataOf(res, 201);
    std::string id = GetStr(d, "id");
    CHECK(IsHexId(id, "tx_qr_"));
    CHECK(GetStr(d, "type") == "qr_payment");
    CHECK(GetStr(d, "status") == "completed");
    CHECK(Minor(d, "amount") == r.minor);
    CHECK(GetStr(d, "currency") == "NOK");
    CHECK(GetStr(d, "merchantId") == shop.merchant_id);
    CHECK(GetStr(d, "merchantName") == "Ahmetov Kebab");
    CHECK(Minor(d, "fee") == r.fee);
    CHECK(Get(d, "feePercent").get<double>() == 1);
    CHECK(Minor(d, "total") == r.total);
    CHECK(GetStr(d, "fromAccount") == "DNB");
    CHECK(GetStr(d, "eta") == "Instant");
    CHECK(IsIsoTime(GetStr(d, "createdAt")));
    CHECK(GetStr(d, "completedAt") == GetStr(d, "createdAt"));
    CHECK(d.count("sendAmount") == 0);
    CHECK(d.count("recipientName") == 0);
    CHECK(EventTypes(server, id) ==
          std::vector<std::string>{"transaction.created", "transaction.completed"});
    CHECK(QueryText(server,
                    "SELECT s.status FROM sandbox_payments s JOIN transactions t ON "
                    "t.provider_ref = s.id WHERE t.id = '" +
                        id + "'") == "completed");
    spent += r.total;
    CHECK(LinkedBalance(server, shop.account_id) == 100'000 - spent);
    CHECK(BankBalance(server, shop.account_id) == 100'000 - spent);
    if (r.minor == 12900) {
      CHECK(res->body.find(R"("fee":1.29,)") != std::string::npos);
      CHECK(res->body.find(R"("feePercent":1,)") != std::string::npos);
    }
  }
  CHECK(QueryInt(server, "SELECT count(*) FROM transactions WHERE status = 'completed'") == 4);
}

TEST_CASE("QR payments take 1 to 100 000 NOK with at most two decimals; anything else is 422") {
  ServerProcess server;
  auto cli = server.Client();
  Shop shop = OpenShop(cli, "200000");
  const std::string& m = shop.merchant_id;

  struct Bad {
    std::string body;
    const char* field;
    const char* code;
  };
  for (const Bad& b : {Bad{QrBody(m, "0.99"), "amount", "out_of_range"},
                       Bad{QrBody(m, "100000.01"), "amount", "out_of_range"},
                       Bad{QrBody(m, "-1"), "amount", "out_of_range"},
                       Bad{QrBody(m, "1.001"), "amount", "too_precise"},
                       Bad{QrBody(m, R"("5")"), "amount", "invalid_type"},
                       Bad{R"({"merchantId":")" + m + R"("})", "amount", "required"},
                       Bad{R"({"amount":5})", "merchantId", "required"}}) {
    ExpectRefused(server, cli, shop.payer, b.body, 422, "validation_error", b.field, b.code);
  }

  picojson::object one = DataOf(PayQr(cli, shop.payer, QrBody(m, "1")), 201);
  CHECK(Minor(one, "fee") == 1);
  picojson::object most = DataOf(PayQr(cli, shop.payer, QrBody(m, "100000")), 201);
  CHECK(Minor(most, "fee") == 100'000);
  CHECK(Minor(most, "total") == 10'100'000);
  CHECK(LinkedBalance(server, shop.account_id) == 20'000'000 - 101 - 10'100'000);
  CHECK(BankBalance(server, shop.account_id) == 20'000'000 - 101 - 10'100'000);
}

TEST_CASE(
    "a QR payment to an unknown merchant is 404, to one's own 422, without an account 400, "
    "beyond the balance 402") {
  ServerProcess server;
  auto cli = server.Client();
  Shop shop = OpenShop(cli, "100");

  for (const std::string& m : {std::string("mer_0123456789abcdef"), std::string("cairn://pay/x"),
                               std::string("MER_0123456789ABCDEF")}) {
    CAPTURE(m);
    ExpectRefused(server, cli, shop.payer, QrBody(m, "10"), 404, "not_found");
  }

  // The merchant's owner cannot pay its own business, account or not.
  ExpectRefused(server, cli, shop.owner, QrBody(shop.merchant_id, "10"), 422, "validation_error",
                "merchantId", "own_merchant");
  LinkAccountWith(cli, shop.owner, "100");
  ExpectRefused(server, cli, shop.owner, QrBody(shop.merchant_id, "10"), 422, "validation_error",
                "merchantId", "own_merchant");

  Account cy = RegisterAndLogin(cli, "cy@example.com");
  ExpectRefused(server, cli, cy, QrBody(shop.merchant_id, "10"), 400, "no_bank_account");

  // 100 + 1 fee does not fit in 100; 99 + 0.99 does.
  ExpectRefused(server, cli, shop.payer, QrBody(shop.merchant_id, "100"), 402,
                "insufficient_balance");
  DataOf(PayQr(cli, shop.payer, QrBody(shop.merchant_id, "99")), 201);
  CHECK(LinkedBalance(server, shop.account_id) == 1);
  CHECK(BankBalance(server, shop.account_id) == 1);
  ExpectRefused(server, cli, shop.payer, QrBody(shop.merchant_id, "1"), 402,
                "insufficient_balance");
}

TEST_CASE("twenty QR payments racing for a balance that fits nine make exactly nine") {
  ServerProcess server;
  auto cli = server.Client();
  Shop shop = OpenShop(cli, "909");  // 9 × (100 + 1 fee)

  std::vector<Answer> answers = Race(server, shop.payer, QrBody(shop.merchant_id, "100"), 20);
  CHECK(CountStatus(answers, 201) == 9);
  CHECK(CountStatus(answers, 402) == 11);
  for (const Answer& a : answers) {
    INFO(a.body);
    if (a.status == 402) CHECK(GetStr(JsonBody(a.body), "error.code") == "insufficient_balance");
  }
  CHECK(LinkedBalance(server, shop.account_id) == 0);
  CHECK(BankBalance(server, shop.account_id) == 0);
  CHECK(QueryInt(server, "SELECT count(*) FROM transactions") == 9);
  CHECK(QueryInt(server, "SELECT count(*) FROM sandbox_payments") == 9);
  CHECK(QueryInt(server, "SELECT count(*) FROM events WHERE type LIKE 'transaction.%'") == 18);
  CHECK(QueryInt(server, "SELECT sum(total) FROM transactions") == 90'900);
}

TEST_CASE("ten duplicates racing with one Idempotency-Key make one payment and get one answer") {
  ServerProcess server;
  auto cli = server.Client();
  Shop shop = OpenShop(cli, "1000");
  const std::string body = QrBody(shop.merchant_id, "129");

  std::vector<Answer> answers = Race(server, shop.payer, body, 10, "coffee-42");
  CHECK(CountStatus(answers, 201) == 10);
  int replayed = 0;
  for (const Answer& a : answers) {
    CHECK(a.body == answers[0].body);
    replayed += a.replayed;
  }
  CHECK(replayed == 9);
  CHECK(QueryInt(server, "SELECT count(*) FROM transactions") == 1);
  CHECK(QueryInt(server, "SELECT count(*) FROM sandbox_payments") == 1);
  CHECK(QueryInt(server, "SELECT count(*) FROM idempotency_keys") == 1);
  CHECK(LinkedBalance(server, shop.account_id) == 100'000 - 13'029);
  CHECK(BankBalance(server, shop.account_id) == 100'000 - 13'029);
  std::string id = GetStr(JsonBody(answers[0].body), "data.id");
  CHECK(QueryText(server, "SELECT id FROM transactions") == id);

  // A later retry replays it too.
  auto later = PayQr(cli, shop.payer, body, "coffee-42");
  DataOf(later, 201);
  CHECK(later->body == answers[0].body);
  CHECK(later->get_header_value("Idempotent-Replayed") == "true");
}

TEST_CASE(
    "an Idempotency-Key reused for another request is 422 idempotency_key_reused; keys are "
    "per user and must be 1-255 visible characters") {
  ServerProcess server;
  auto cli = server.Client();
  Shop shop = OpenShop(cli, "1000");
  const std::string body = QrBody(shop.merchant_id, "129");
  DataOf(PayQr(cli, shop.payer, body, "coffee-42"), 201);
  std::string stored = QueryText(server, "SELECT body FROM idempotency_keys");

  for (const std::string& other :
       {QrBody(shop.merchant_id, "130"), QrBody(shop.merchant_id, "129.00") + " "}) {
    CAPTURE(other);
    std::string before = MoneyState(server);
    auto res = PayQr(cli, shop.payer, other, "coffee-42");
    REQUIRE(res);
    CHECK(res->status == 422);
    CHECK(ErrorCode(res) == "idempotency_key_reused");
    CHECK(MoneyState(server) == before);
  }
  CHECK(QueryText(server, "SELECT body FROM idempotency_keys") == stored);

  // Bob's "coffee-42" is his own: a payment of his, not a replay of ada's.
  Account bob = RegisterAndLogin(cli, "bob@example.com");
  std::string bob_account = LinkAccountWith(cli, bob, "1000");
  auto bobs = PayQr(cli, bob, body, "coffee-42");
  picojson::object d = DataOf(bobs, 201);
  CHECK_FALSE(bobs->has_header("Idempotent-Replayed"));
  CHECK(QueryText(server, "SELECT user_id FROM transactions WHERE id = '" + GetStr(d, "id") +
                              "'") == bob.id);
  CHECK(LinkedBalance(server, bob_account) == 100'000 - 13'029);
  CHECK(QueryInt(server, "SELECT count(*) FROM idempotency_keys") == 2);
  CHECK(QueryInt(server, "SELECT count(*) FROM transactions") == 2);

  for (const std::string& bad :
       {std::string("with space"), std::string(256, 'k'), std::string("caf\xc3\xa9")}) {
    CAPTURE(bad.size());
    std::string before = MoneyState(server);
    auto res = PayQr(cli, shop.payer, QrBody(shop.merchant_id, "5"), bad);
    REQUIRE(res);
    CHECK(res->status == 400);
    CHECK(ErrorCode(res) == "bad_request");
    CHECK(MoneyState(server) == before);
  }
  DataOf(PayQr(cli, shop.payer, QrBody(shop.merchant_id, "5"), std::string(255, 'k')), 201);
}
