#pragma once

// Setting the scene for payment tests: a server whose sandbox bank settles
// quickly, an admin to approve KYC, senders with a linked account and a
// recipient, a merchant to pay; the two payment POSTs; and the database read
// directly, to see what a payment (or a refused one) did to the money.
//
// Each helper fails the calling test (REQUIRE) when a step that is not under
// test goes wrong.

#include <picojson.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "accounts.h"
#include "harness.h"
#include "lists.h"

namespace cairn::test {

inline constexpr char kRemitPath[] = "/api/v1/transactions/remittance";
inline constexpr char kQrPath[] = "/api/v1/transactions/qr-payment";
inline constexpr char kTransactionsPath[] = "/api/v1/transactions";
inline constexpr char kRsAccount[] = "RS35260005601001611379";

// A server whose sandbox bank settles remittances settle_seconds after they
// are made, failing amounts whose cents are in fail_cents (unset: the
// default, 13).
ServerProcess::Options PaymentServer(const std::string& settle_seconds,
                                     std::optional<std::string> fail_cents = std::nullopt);

// An admin made with `cairn user create --role admin`.
Account MakeAdmin(const ServerProcess& server, httplib::Client& cli,
                  const std::string& email = "root@example.com");
// PATCH /api/v1/users/{id} {"kycStatus": status} as admin.
void SetKyc(httplib::Client& cli, const Account& admin, const std::string& user_id,
            const std::string& status = "approved");
// Links a sandbox account at bank holding balance (raw JSON number);
// returns its id.
std::string LinkAccountWith(httplib::Client& cli, const Account& who, const std::string& balance,
                            const std::string& bank = "DNB");
// Adds a recipient in Serbia (RSD, kRsAccount); returns its id.
std::string AddRecipient(httplib::Client& cli, const Account& who,
                         const std::string& name = "Mama Jasmina");
// Registers owner's business as a merchant; returns the merchantId.
std::string RegisterMerchant(httplib::Client& cli, const Account& owner,
                             const std::string& business = "Ahmetov Kebab",
                             const std::string& org_number = "123456789");

// Someone who can send money: registered, KYC approved, one account at DNB
// (the primary) holding balance, and one recipient, Mama Jasmina.
struct Sender {
  Account who;
  std::string account_id;
  std::string recipient_id;
};
Sender MakeSender(httplib::Client& cli, const Account& admin, const std::string& email,
                  const std::string& balance);

// A history to read back, on a server that does not settle by itself
// (PaymentServer("3600")). Ada's six payments, made in this order: R1 100
// NOK to Mama Jasmina (completed), R2 250 to Tata Petar (completed), R3
// 100.13 to Mama Jasmina (failed), Q1 50 and Q2 1500 to Ahmetov Kebab, R4
// 300 to Mama Jasmina (processing). Bob has two of his own: 100 NOK to his
// Mama Jasmina, 50 to the kebab shop.
struct Ledger {
  Sender ada;
  Sender bob;
  std::string merchant_id;
  std::map<std::string, std::string> tx;  // label -> id
  std::vector<std::string> bob_tx;
};
Ledger SeedLedger(const ServerProcess& server, httplib::Client& cli);
// A list page's items as ledger labels, in order ("?<id>" for a stranger).
std::vector<std::string> LabelsOf(const Ledger& l, const Page& p);

// {"recipientId": .., "amount": amount_json} plus extra members (raw JSON,
// ",\"currency\":\"NOK\"").
std::string RemitBody(const std::string& recipient_id, const std::string& amount_json,
                      const std::string& extra = "");
std::string QrBody(const std::string& merchant_id, const std::string& amount_json);
// The payment POSTs, with Idempotency-Key: key when key is not empty.
httplib::Result Remit(httplib::Client& cli, const Account& who, const std::string& body,
                      const std::string& key = "");
httplib::Result PayQr(httplib::Client& cli, const Account& who, const std::string& body,
                      const std::string& key = "");


// bank_accounts.balance and the sandbox bank's own balance of the same
// account, in minor units.
int64_t LinkedBalance(const ServerProcess& server, const std::string& account_id);
int64_t BankBalance(const ServerProcess& server, const std::string& account_id);
// Everything a payment writes, as one comparable string: the row counts of
// transactions, sandbox_payments, events and idempotency_keys, and every
// balance in both books. A refused payment must leave it as it was.
std::string MoneyState(const ServerProcess& server);
// The status column of transaction id.
std::string TxStatus(const ServerProcess& server, const std::string& id);
// Polls until transaction id is no longer processing, up to timeout;
// returns its status then.
std::string WaitSettled(const ServerProcess& server, const std::string& id,
                        std::chrono::seconds timeout = std::chrono::seconds(15));
// Makes the bank's payment behind transaction id due now (the settlement
// worker picks it up on its next pass) and waits for it to settle.
std::string SettleNow(const ServerProcess& server, const std::string& id);
// The types of the events about transaction id, in the order written.
std::vector<std::string> EventTypes(const ServerProcess& server, const std::string& id);

}  // namespace cairn::test
