// Linking a bank account under an Idempotency-Key (API.md §9): a repeat
// replays the first answer byte for byte and opens nothing, another body
// under the key is refused, keys are per user, malformed keys are 400, and
// concurrent repeats open exactly one account.

#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "accounts.h"
#include "harness.h"
#include "payments.h"

using namespace cairn::test;

TEST_CASE("a link repeated with its Idempotency-Key replays the first answer byte for byte") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  const std::string body = LinkBody("DNB", R"(,"initialBalance":250.75)");

  auto first = LinkAccount(cli, ada, body, "link-1");
  REQUIRE(first);
  REQUIRE(first->status == 201);
  CHECK_FALSE(first->has_header("Idempotent-Replayed"));
  const std::string after_first = PaymentRows(server);
  CHECK(after_first == "bank_accounts=1 sandbox_accounts=1 events=1 idempotency_keys=1");

  auto again = LinkAccount(cli, ada, body, "link-1");
  REQUIRE(again);
  CHECK(again->status == 201);
  CHECK(again->body == first->body);
  CHECK(again->get_header_value("Idempotent-Replayed") == "true");
  CHECK(PaymentRows(server) == after_first);

  // The same key with another body is refused, and opens nothing.
  for (const std::string& other :
       {LinkBody("DNB", R"(,"initialBalance":250.76)"), LinkBody("Nordea"), LinkBody("DNB")}) {
    CAPTURE(other);
    auto res = LinkAccount(cli, ada, other, "link-1");
    REQUIRE(res);
    CHECK(res->status == 422);
    CHECK(ErrorCode(res) == "idempotency_key_reused");
    CHECK_FALSE(res->has_header("Idempotent-Replayed"));
    CHECK(PaymentRows(server) == after_first);
  }

  // Without a key, the same body opens a second account.
  MustLink(cli, ada, "DNB", R"(,"initialBalance":250.75)");
  CHECK(QueryInt(server, "SELECT count(*) FROM bank_accounts") == 2);
}

TEST_CASE("an Idempotency-Key is per user: another user's same key opens their own account") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Account bob = RegisterAndLogin(cli, "bob@example.com");
  const std::string body = LinkBody("DNB");

  auto adas = LinkAccount(cli, ada, body, "shared-key");
  REQUIRE(adas);
  REQUIRE(adas->status == 201);
  auto bobs = LinkAccount(cli, bob, body, "shared-key");
  REQUIRE(bobs);
  CHECK(bobs->status == 201);
  CHECK_FALSE(bobs->has_header("Idempotent-Replayed"));
  auto bob_data = JsonBody(bobs->body);
  std::string bob_id = GetStr(bob_data, "data.id");
  CHECK(bob_id != GetStr(JsonBody(adas->body), "data.id"));
  CHECK(Get(bob_data, "data.isPrimary") == picojson::value(true));
  CHECK(QueryText(server, "SELECT user_id FROM bank_accounts WHERE id = '" + bob_id + "'") ==
        bob.id);
  CHECK(PaymentRows(server) == "bank_accounts=2 sandbox_accounts=2 events=2 idempotency_keys=2");
}

TEST_CASE("a malformed Idempotency-Key is 400 and opens nothing; 255 characters is a key") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  const std::string before = PaymentRows(server);
  for (const std::string& key : {std::string(256, 'k'), std::string("two words")}) {
    CAPTURE(key);
    auto res = LinkAccount(cli, ada, LinkBody("DNB"), key);
    REQUIRE(res);
    CHECK(res->status == 400);
    CHECK(ErrorCode(res) == "bad_request");
    CHECK(PaymentRows(server) == before);
  }
  auto longest = LinkAccount(cli, ada, LinkBody("DNB"), std::string(255, 'k'));
  REQUIRE(longest);
  CHECK(longest->status == 201);
}

TEST_CASE("eight concurrent links with one Idempotency-Key open exactly one account") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  const std::string body = LinkBody("DNB", R"(,"initialBalance":777.77)");

  struct Answer {
    int status = 0;
    std::string body;
    bool replayed = false;
  };
  std::vector<Answer> answers(8);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (size_t i = 0; i < answers.size(); ++i) {
    threads.emplace_back([&, i] {
      auto own = server.Client();
      ++ready;
      while (ready.load() < static_cast<int>(answers.size())) std::this_thread::yield();
      auto res = LinkAccount(own, ada, body, "race");
      if (!res) return;
      answers[i] = {res->status, res->body, res->has_header("Idempotent-Replayed")};
    });
  }
  for (std::thread& t : threads) t.join();

  int fresh = 0;
  for (const Answer& a : answers) {
    CAPTURE(a.body);
    CHECK(a.status == 201);
    CHECK(a.body == answers[0].body);
    if (!a.replayed) ++fresh;
  }
  CHECK(fresh == 1);
  CHECK(PaymentRows(server) == "bank_accounts=1 sandbox_accounts=1 events=1 idempotency_keys=1");
}
