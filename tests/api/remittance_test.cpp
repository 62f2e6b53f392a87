// Remittances over HTTP: the 201 quotes what was sent and what arrives, both
// books lose the total at once, the limits, KYC, recipient and account rules
// refuse without changing anything, and the sandbox bank settles the payment
// later: completed, or failed and refunded.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "accounts.h"
#include "harness.h"
#include "payment_setup.h"

using namespace cairn::test;

namespace {

using Events = std::vector<std::string>;

// Sends body as a remittance that must be refused with status and code
// (and, when field is given, that field's detail code), and checks that it
// changed nothing. It carries an Idempotency-Key, so a refusal that left a
// record behind would show too.
void ExpectRefused(const ServerProcess& server, httplib::Client& cli, const Account& who,
                   const std::string& body, int status, const std::string& code,
                   const std::string& field = "", const std::string& field_code = "") {
  static int n = 0;
  std::string before = MoneyState(server);
  auto res = Remit(cli, who, body, "refused-" + std::to_string(++n));
  REQUIRE(res);
  INFO(body << " -> " << res->status << " " << res->body);
  CHECK(res->status == status);
  CHECK(ErrorCode(res) == code);
  if (!field.empty()) CHECK(DetailCodes(JsonBody(res->body))[field] == field_code);
  CHECK(MoneyState(server) == before);
}

std::string TxPath(const std::string& id) { return std::string(kTransactionsPath) + "/" + id; }

}  // namespace

TEST_CASE("a remittance is 201 processing with its quote, and both books lose the total at once") {
  ServerProcess server(PaymentServer("3600"));
  auto cli = server.Client();
  Account admin = MakeAdmin(server, cli);
  Sender ada = MakeSender(cli, admin, "ada@example.com", "10000");

  auto res = Remit(cli, ada.who, RemitBody(ada.recipient_id, "1000"));
  picojson::object d = DataOf(res, 201);
  std::string id = GetStr(d, "id");
  CHECK(IsHexId(id, "tx_rem_"));
  CHECK(GetStr(d, "type") == "remittance");
  CHECK(GetStr(d, "status") == "processing");
  CHECK(Minor(d, "sendAmount") == 100000);
  CHECK(GetStr(d, "sendCurrency") == "NOK");
  CHECK(Minor(d, "receiveAmount") == 1170000);
  CHECK(GetStr(d, "receiveCurrency") == "RSD");
  CHECK(Get(d, "exchangeRate").get<double>() == 11.7);
  CHECK(Minor(d, "fee") == 500);
  CHECK(Get(d, "feePercent").get<double>() == 0.5);
  CHECK(Minor(d, "total") == 100500);
  CHECK(GetStr(d, "recipientId") == ada.recipient_id);
  CHECK(GetStr(d, "recipientName") == "Mama Jasmina");
  CHECK(GetStr(d, "recipientCountry") == "Serbia");
  CHECK(GetStr(d, "fromAccount") == "DNB");
  CHECK(GetStr(d, "eta") == "2-4 business days");
  CHECK(IsIsoTime(GetStr(d, "createdAt")));
  CHECK(Get(d, "completedAt").is<picojson::null>());
  CHECK(d.count("failureReason") == 0);
  // Numbers in their shortest form.
  CHECK(res->body.find(R"("exchangeRate":11.7,)") != std::string::npos);
  CHECK(res->body.find(R"("feePercent":0.5,)") != std::string::npos);
  CHECK(res->body.find(R"("total":1005,)") != std::string::npos);

  CHECK(LinkedBalance(server, ada.account_id) == 1'000'000 - 100'500);
  CHECK(BankBalance(server, ada.account_id) == 1'000'000 - 100'500);
  CHECK(QueryText(server,
                  "SELECT type || '|' || status || '|' || amount || '|' || fee || '|' || total || "
                  "'|' || receive_amount || '|' || receive_currency || '|' || rate_micro || '|' "
                  "|| bank_account_id || '|' || recipient_id FROM transactions WHERE id = '" +
                      id + "'") == "remittance|processing|100000|500|100500|1170000|RSD|11700000|" +
                                       ada.account_id + "|" + ada.recipient_id);
  CHECK(QueryText(server, "SELECT status || '|' || amount FROM sandbox_payments") ==
        "processing|100500");
  CHECK(EventTypes(server, id) == Events{"transaction.created"});
  CHECK(QueryInt(server, "SELECT count(*) FROM idempotency_keys") == 0);

  // GET shows the payment as the 201 did.
  auto get = cli.Get(TxPath(id), Bearer(ada.who.access));
  CHECK(picojson::value(DataOf(get, 200)).serialize() == picojson::value(d).serialize());
}

TEST_CASE(
    "remittance fees and received amounts round half-up to the øre, 100 and 50 000 included") {
  ServerProcess server(PaymentServer("3600"));
  auto cli = server.Client();
  Account admin = MakeAdmin(server, cli);
  Sender ada = MakeSender(cli, admin, "ada@example.com", "60000");

  struct Row {
    const char* amount;
    int64_t fee, total, receive;  // minor units
  };
  int64_t spent = 0;
  for (const Row& r : {Row{"100", 50, 10050, 117000},     // the smallest allowed
                       Row{"100.05", 50, 10055, 117059},  // 50.025 øre fee, 117 058.5 para
                       Row{"100.99", 50, 10149, 118158},  // 50.495 øre fee
                       Row{"101", 51, 10151, 118170},     // 50.5 øre fee
                       Row{"50000", 25000, 5025000, 58500000}}) {  // the largest allowed
    CAPTURE(r.amount);
    picojson::object d = DataOf(Remit(cli, ada.who, RemitBody(ada.recipient_id, r.amount)), 201);
    CHECK(Minor(d, "fee") == r.fee);
    CHECK(Minor(d, "total") == r.total);
    CHECK(Minor(d, "receiveAmount") == r.receive);
    spent += r.total;
    CHECK(LinkedBalance(server, ada.account_id) == 6'000'000 - spent);
    CHECK(BankBalance(server, ada.account_id) == 6'000'000 - spent);
  }
  CHECK(QueryInt(server, "SELECT count(*) FROM transactions") == 5);
  CHECK(QueryInt(server, "SELECT sum(total) FROM transactions") == spent);
}

TEST_CASE(
    "remittance amounts out of range, too precise, negative or not numbers, and non-NOK "
    "currencies are 422 and change nothing") {
  ServerProcess server(PaymentServer("3600"));
  auto cli = server.Client();
  Account admin = MakeAdmin(server, cli);
  Sender ada = MakeSender(cli, admin, "ada@example.com", "100000");
  const std::string& rcp = ada.recipient_id;

  struct Bad {
    std::string body;
    const char* field;
    const char* code;
  };
  for (const Bad& b :
       {Bad{RemitBody(rcp, "99.99"), "amount", "out_of_range"},
        Bad{RemitBody(rcp, "50000.01"), "amount", "out_of_range"},
        Bad{RemitBody(rcp, "100.001"), "amount", "too_precise"},
        Bad{RemitBody(rcp, "-5"), "amount", "out_of_range"},
        Bad{RemitBody(rcp, "0"), "amount", "out_of_range"},
        Bad{RemitBody(rcp, R"("100")"), "amount", "invalid_type"},
        Bad{RemitBody(rcp, "null"), "amount", "required"},  // null is absent
        Bad{R"({"recipientId":")" + rcp + R"("})", "amount", "required"},
        Bad{R"({"amount":100})", "recipientId", "required"},
        Bad{RemitBody(rcp, "100", R"(,"currency":"EUR")"), "currency", "unsupported_currency"}}) {
    ExpectRefused(server, cli, ada.who, b.body, 422, "validation_error", b.field, b.code);
  }
  // NOK spelled out is the default made explicit.
  DataOf(Remit(cli, ada.who, RemitBody(rcp, "100", R"(,"currency":"NOK")")), 201);
}

TEST_CASE("a remittance needs KYC approved: pending and rejected are 403 kyc_required") {
  ServerProcess server(PaymentServer("3600"));
  auto cli = server.Client();
  Account admin = MakeAdmin(server, cli);
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  std::string account = LinkAccountWith(cli, ada, "1000");
  std::string rcp = AddRecipient(cli, ada);
  REQUIRE(QueryText(server, "SELECT kyc_status FROM users WHERE id = '" + ada.id + "'") ==
          "pending");

  ExpectRefused(server, cli, ada, RemitBody(rcp, "100"), 403, "kyc_required");
  SetKyc(cli, admin, ada.id, "rejected");
  ExpectRefused(server, cli, ada, RemitBody(rcp, "100"), 403, "kyc_required");
  CHECK(LinkedBalance(server, account) == 100'000);

  SetKyc(cli, admin, ada.id, "approved");
  DataOf(Remit(cli, ada, RemitBody(rcp, "100")), 201);
  CHECK(LinkedBalance(server, account) == 100'000 - 10'050);
}

TEST_CASE("a remittance to another user's, a deleted, an unknown or a malformed recipient is 404") {
  ServerProcess server(PaymentServer("3600"));
  auto cli = server.Client();
  Account admin = MakeAdmin(server, cli);
  Sender ada = MakeSender(cli, admin, "ada@example.com", "1000");
  Sender bob = MakeSender(cli, admin, "bob@example.com", "1000");

  for (const std::string& rcp :
       {bob.recipient_id, std::string("rcp_0123456789abcdef"), std::string("rcp_XYZ"),
        std::string("../recipients"), std::string("mer_") + ada.recipient_id.substr(4)}) {
    CAPTURE(rcp);
    ExpectRefused(server, cli, ada.who, RemitBody(rcp, "100"), 404, "not_found");
  }

  std::string gone = AddRecipient(cli, ada.who, "Old Friend");
  auto del = cli.Delete("/api/v1/recipients/" + gone, Bearer(ada.who.access));
  REQUIRE(del);
  REQUIRE(del->status == 204);
  ExpectRefused(server, cli, ada.who, RemitBody(gone, "100"), 404, "not_found");
}

TEST_CASE(
    "a remittance pays from the primary account or bankAccountId; no account is 400 "
    "no_bank_account, another user's account 404") {
  ServerProcess server(PaymentServer("3600"));
  auto cli = server.Client();
  Account admin = MakeAdmin(server, cli);

  Account cy = RegisterAndLogin(cli, "cy@example.com");
  SetKyc(cli, admin, cy.id);
  std::string cy_rcp = AddRecipient(cli, cy);
  ExpectRefused(server, cli, cy, RemitBody(cy_rcp, "100"), 400, "no_bank_account");

  Sender ada = MakeSender(cli, admin, "ada@example.com", "1000");
  Sender bob = MakeSender(cli, admin, "bob@example.com", "1000");
  for (const std::string& account : {bob.account_id, std::string("ba_0123456789abcdef"),
                                     std::string("x"), std::string("BA_0123456789ABCDEF")}) {
    CAPTURE(account);
    ExpectRefused(server, cli, ada.who,
                  RemitBody(ada.recipient_id, "100", R"(,"bankAccountId":")" + account + "\""), 404,
                  "not_found");
  }

  // A second account of ada's, named: it pays, the primary does not.
  std::string nordea = LinkAccountWith(cli, ada.who, "500", "Nordea");
  picojson::object d =
      DataOf(Remit(cli, ada.who,
                   RemitBody(ada.recipient_id, "100", R"(,"bankAccountId":")" + nordea + "\"")),
             201);
  CHECK(GetStr(d, "fromAccount") == "Nordea");
  CHECK(LinkedBalance(server, nordea) == 50'000 - 10'050);
  CHECK(BankBalance(server, nordea) == 50'000 - 10'050);
  CHECK(LinkedBalance(server, ada.account_id) == 100'000);
  CHECK(BankBalance(server, ada.account_id) == 100'000);
}

TEST_CASE(
    "a remittance whose total exceeds the balance is 402 insufficient_balance; an exact fit "
    "empties the account") {
  ServerProcess server(PaymentServer("3600"));
  auto cli = server.Client();
  Account admin = MakeAdmin(server, cli);
  Sender ada = MakeSender(cli, admin, "ada@example.com", "500");

  // 500 + 2.50 fee is more than 500.
  ExpectRefused(server, cli, ada.who, RemitBody(ada.recipient_id, "500"), 402,
                "insufficient_balance");
  // 497.52 + 2.49 (2.4876 rounded) is 500.01: one øre too much.
  ExpectRefused(server, cli, ada.who, RemitBody(ada.recipient_id, "497.52"), 402,
                "insufficient_balance");
  // 497.51 + 2.49 (2.48755 rounded) is exactly 500.
  picojson::object d = DataOf(Remit(cli, ada.who, RemitBody(ada.recipient_id, "497.51")), 201);
  CHECK(Minor(d, "total") == 50'000);
  CHECK(LinkedBalance(server, ada.account_id) == 0);
  CHECK(BankBalance(server, ada.account_id) == 0);
  ExpectRefused(server, cli, ada.who, RemitBody(ada.recipient_id, "100"), 402,
                "insufficient_balance");
}

TEST_CASE("a remittance retried with its Idempotency-Key is replayed, not paid twice") {
  ServerProcess server(PaymentServer("3600"));
  auto cli = server.Client();
  Account admin = MakeAdmin(server, cli);
  Sender ada = MakeSender(cli, admin, "ada@example.com", "1000");

  auto first = Remit(cli, ada.who, RemitBody(ada.recipient_id, "100"), "rent-2026-11");
  DataOf(first, 201);
  CHECK_FALSE(first->has_header("Idempotent-Replayed"));
  std::string after_first = MoneyState(server);
  auto again = Remit(cli, ada.who, RemitBody(ada.recipient_id, "100"), "rent-2026-11");
  DataOf(again, 201);
  CHECK(again->get_header_value("Idempotent-Replayed") == "true");
  CHECK(again->body == first->body);
  CHECK(MoneyState(server) == after_first);
  CHECK(QueryInt(server, "SELECT count(*) FROM transactions") == 1);

  // The same key for another amount is refused, and changes nothing.
  auto reused = Remit(cli, ada.who, RemitBody(ada.recipient_id, "101"), "rent-2026-11");
  REQUIRE(reused);
  CHECK(reused->status == 422);
  CHECK(ErrorCode(reused) == "idempotency_key_reused");
  CHECK(MoneyState(server) == after_first);
}

TEST_CASE("the sandbox bank completes a remittance SANDBOX_SETTLE_SECONDS after it was made") {
  ServerProcess server(PaymentServer("1"));
  auto cli = server.Client();
  Account admin = MakeAdmin(server, cli);
  Sender ada = MakeSender(cli, admin, "ada@example.com", "1000");

  picojson::object made = DataOf(Remit(cli, ada.who, RemitBody(ada.recipient_id, "100")), 201);
  std::string id = GetStr(made, "id");
  CHECK(GetStr(made, "status") == "processing");
  REQUIRE(WaitSettled(server, id) == "completed");

  picojson::object d = DataOf(cli.Get(TxPath(id), Bearer(ada.who.access)), 200);
  CHECK(GetStr(d, "status") == "completed");
  std::string completed = GetStr(d, "completedAt");
  CHECK(IsIsoTime(completed));
  CHECK(completed > GetStr(d, "createdAt"));  // at least a second later
  CHECK(d.count("failureReason") == 0);
  CHECK(EventTypes(server, id) == Events{"transaction.created", "transaction.completed"});
  CHECK(QueryText(server, "SELECT status FROM sandbox_payments") == "completed");
  // The money stays gone.
  CHECK(LinkedBalance(server, ada.account_id) == 100'000 - 10'050);
  CHECK(BankBalance(server, ada.account_id) == 100'000 - 10'050);
}

TEST_CASE("a remittance of 100.13 NOK fails at settlement and is refunded to both books") {
  ServerProcess server(PaymentServer("1"));
  auto cli = server.Client();
  Account admin = MakeAdmin(server, cli);
  Sender ada = MakeSender(cli, admin, "ada@example.com", "1000");

  picojson::object made = DataOf(Remit(cli, ada.who, RemitBody(ada.recipient_id, "100.13")), 201);
  std::string id = GetStr(made, "id");
  CHECK(GetStr(made, "status") == "processing");
  CHECK(Minor(made, "total") == 10'063);
  REQUIRE(WaitSettled(server, id) == "failed");

  picojson::object d = DataOf(cli.Get(TxPath(id), Bearer(ada.who.access)), 200);
  CHECK(GetStr(d, "status") == "failed");
  CHECK(GetStr(d, "failureReason").find(".13") != std::string::npos);
  CHECK(Get(d, "completedAt").is<picojson::null>());
  CHECK(EventTypes(server, id) == Events{"transaction.created", "transaction.failed"});
  CHECK(QueryText(server, "SELECT status FROM sandbox_payments") == "failed");
  CHECK(LinkedBalance(server, ada.account_id) == 100'000);
  CHECK(BankBalance(server, ada.account_id) == 100'000);
}

TEST_CASE("with SANDBOX_FAIL_CENTS empty a remittance of 100.13 NOK completes") {
  ServerProcess server(PaymentServer("1", ""));
  auto cli = server.Client();
  Account admin = MakeAdmin(server, cli);
  Sender ada = MakeSender(cli, admin, "ada@example.com", "1000");

  std::string id =
      GetStr(DataOf(Remit(cli, ada.who, RemitBody(ada.recipient_id, "100.13")), 201), "id");
  REQUIRE(WaitSettled(server, id) == "completed");
  CHECK(EventTypes(server, id) == Events{"transaction.created", "transaction.completed"});
  CHECK(LinkedBalance(server, ada.account_id) == 100'000 - 10'063);
  CHECK(BankBalance(server, ada.account_id) == 100'000 - 10'063);
}
