#include "payment_setup.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <doctest/doctest.h>

#include <cmath>
#include <thread>

namespace cairn::test {

ServerProcess::Options PaymentServer(const std::string& settle_seconds,
                                     std::optional<std::string> fail_cents) {
  ServerProcess::Options opts;
  opts.env["SANDBOX_SETTLE_SECONDS"] = settle_seconds;
  if (fail_cents) opts.env["SANDBOX_FAIL_CENTS"] = *fail_cents;
  return opts;
}

Account MakeAdmin(const ServerProcess& server, httplib::Client& cli, const std::string& email) {
  return CreateWithCli(server, cli, email, "admin");
}

void SetKyc(httplib::Client& cli, const Account& admin, const std::string& user_id,
            const std::string& status) {
  auto res = PatchJson(cli, "/api/v1/users/" + user_id, R"({"kycStatus":")" + status + "\"}",
                       Bearer(admin.access));
  REQUIRE(res);
  INFO(res->body);
  REQUIRE(res->status == 200);
}

std::string LinkAccountWith(httplib::Client& cli, const Account& who, const std::string& balance,
                            const std::string& bank) {
  auto res = PostJson(cli, "/api/v1/bank-accounts",
                      R"({"bankName":")" + bank + R"(","initialBalance":)" + balance + "}",
                      Bearer(who.access));
  return GetStr(DataOf(res, 201), "id");
}

std::string AddRecipient(httplib::Client& cli, const Account& who, const std::string& name) {
  auto res =
      PostJson(cli, "/api/v1/recipients",
               R"({"name":")" + name + R"(","country":"RS","currency":"RSD","bankAccount":")" +
                   kRsAccount + "\"}",
               Bearer(who.access));
  return GetStr(DataOf(res, 201), "id");
}

std::string RegisterMerchant(httplib::Client& cli, const Account& owner,
                             const std::string& business, const std::string& org_number) {
  auto res = PostJson(cli, "/api/v1/merchants/register",
                      R"({"businessName":")" + business + R"(","orgNumber":")" + org_number +
                          R"(","bankAccount":"8601.11.17947"})",
                      Bearer(owner.access));
  return GetStr(DataOf(res, 201), "id");
}

Sender MakeSender(httplib::Client& cli, const Account& admin, const std::string& email,
                  const std::string& balance) {
  Sender s;
  s.who = RegisterAndLogin(cli, email);
  SetKyc(cli, admin, s.who.id);
  s.account_id = LinkAccountWith(cli, s.who, balance);
  s.recipient_id = AddRecipient(cli, s.who);
  return s;
}

Ledger SeedLedger(const ServerProcess& server, httplib::Client& cli) {
  Ledger l;
  Account admin = MakeAdmin(server, cli);
  l.ada = MakeSender(cli, admin, "ada@example.com", "100000");
  std::string tata = AddRecipient(cli, l.ada.who, "Tata Petar");
  Account owner = RegisterAndLogin(cli, "kebab@example.com");
  l.merchant_id = RegisterMerchant(cli, owner);
  auto id = [](const httplib::Result& res) { return GetStr(DataOf(res, 201), "id"); };
  const Account& ada = l.ada.who;
  l.tx["R1"] = id(Remit(cli, ada, RemitBody(l.ada.recipient_id, "100")));
  l.tx["R2"] = id(Remit(cli, ada, RemitBody(tata, "250")));
  l.tx["R3"] = id(Remit(cli, ada, RemitBody(l.ada.recipient_id, "100.13")));
  l.tx["Q1"] = id(PayQr(cli, ada, QrBody(l.merchant_id, "50")));
  l.tx["Q2"] = id(PayQr(cli, ada, QrBody(l.merchant_id, "1500")));
  l.tx["R4"] = id(Remit(cli, ada, RemitBody(l.ada.recipient_id, "300")));
  l.bob = MakeSender(cli, admin, "bob@example.com", "1000");
  l.bob_tx.push_back(id(Remit(cli, l.bob.who, RemitBody(l.bob.recipient_id, "100"))));
  l.bob_tx.push_back(id(PayQr(cli, l.bob.who, QrBody(l.merchant_id, "50"))));
  REQUIRE(SettleNow(server, l.tx["R1"]) == "completed");
  REQUIRE(SettleNow(server, l.tx["R2"]) == "completed");
  REQUIRE(SettleNow(server, l.tx["R3"]) == "failed");
  return l;
}

std::vector<std::string> LabelsOf(const Ledger& l, const Page& p) {
  std::vector<std::string> out;
  for (const std::string& id : Field(p, "id")) {
    std::string label = "?" + id;
    for (const auto& [k, v] : l.tx) {
      if (v == id) label = k;
    }
    out.push_back(label);
  }
  return out;
}

std::string RemitBody(const std::string& recipient_id, const std::string& amount_json,
                      const std::string& extra) {
  return R"({"recipientId":")" + recipient_id + R"(","amount":)" + amount_json + extra + "}";
}

std::string QrBody(const std::string& merchant_id, const std::string& amount_json) {
  return R"({"merchantId":")" + merchant_id + R"(","amount":)" + amount_json + "}";
}

namespace {

httplib::Result PostPayment(httplib::Client& cli, const char* path, const Account& who,
                            const std::string& body, const std::string& key) {
  httplib::Headers headers = Bearer(who.access);
  if (!key.empty()) headers.emplace("Idempotency-Key", key);
  return PostJson(cli, path, body, headers);
}

}  // namespace

httplib::Result Remit(httplib::Client& cli, const Account& who, const std::string& body,
                      const std::string& key) {
  return PostPayment(cli, kRemitPath, who, body, key);
}

httplib::Result PayQr(httplib::Client& cli, const Account& who, const std::string& body,
                      const std::string& key) {
  return PostPayment(cli, kQrPath, who, body, key);
}

int64_t LinkedBalance(const ServerProcess& server, const std::string& account_id) {
  return QueryInt(server, "SELECT balance FROM bank_accounts WHERE id = '" + account_id + "'");
}

int64_t BankBalance(const ServerProcess& server, const std::string& account_id) {
  return QueryInt(server,
                  "SELECT s.balance FROM sandbox_accounts s JOIN bank_accounts b "
                  "USING (account_number) WHERE b.id = '" +
                      account_id + "'");
}

std::string MoneyState(const ServerProcess& server) {
  std::string out;
  for (const char* table : {"transactions", "sandbox_payments", "events", "idempotency_keys"}) {
    out += std::string(table) + "=" +
           std::to_string(QueryInt(server, std::string("SELECT count(*) FROM ") + table)) + " ";
  }
  out += "linked[" +
         QueryText(server,
                   "SELECT group_concat(r, ';') FROM (SELECT id || ':' || balance AS r "
                   "FROM bank_accounts ORDER BY id)") +
         "] bank[" +
         QueryText(server,
                   "SELECT group_concat(r, ';') FROM (SELECT account_number || ':' || balance "
                   "AS r FROM sandbox_accounts ORDER BY account_number)") +
         "]";
  return out;
}

std::string TxStatus(const ServerProcess& server, const std::string& id) {
  return QueryText(server, "SELECT status FROM transactions WHERE id = '" + id + "'");
}

std::string WaitSettled(const ServerProcess& server, const std::string& id,
                        std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::string status = TxStatus(server, id);
    if (status != "processing" || std::chrono::steady_clock::now() > deadline) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::string SettleNow(const ServerProcess& server, const std::string& id) {
  ExecSql(server,
         "UPDATE sandbox_payments SET settle_at = 0 WHERE id = "
         "(SELECT provider_ref FROM transactions WHERE id = '" +
             id + "')");
  return WaitSettled(server, id);
}

std::vector<std::string> EventTypes(const ServerProcess& server, const std::string& id) {
  SQLite::Database db(server.db_path(), SQLite::OPEN_READONLY);
  SQLite::Statement q(db,
                      "SELECT type FROM events WHERE json_extract(data, '$.id') = ? ORDER BY seq");
  q.bind(1, id);
  std::vector<std::string> out;
  while (q.executeStep()) out.push_back(q.getColumn(0).getString());
  return out;
}

}  // namespace cairn::test
