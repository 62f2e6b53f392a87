// The data subject's rights over HTTP (API.md §9, GDPR art. 15, 17, 20): the
// export holds everything about the caller and nothing about anyone else,
// never a secret, and is recorded; erasure ends every way in, scrubs the
// person, keeps the transactions, frees the email and leaves others alone.

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

#include "accounts.h"
#include "harness.h"

using namespace cairn::test;

namespace {

struct Key {
  std::string id;
  std::string key;
};

Key MakeKey(httplib::Client& cli, const Account& who) {
  auto d = DataOf(PostJson(cli, "/api/v1/api-keys", R"({"name":"k","scopes":["profile:read"]})",
                           Bearer(who.access)),
                  201);
  return {GetStr(d, "id"), GetStr(d, "key")};
}

std::string RegisterMerchant(httplib::Client& cli, const Account& owner) {
  return GetStr(DataOf(PostJson(cli, "/api/v1/merchants/register",
                                R"({"businessName":"Shop","orgNumber":"123456789",)"
                                R"("bankAccount":"8601.11.17947"})",
                                Bearer(owner.access)),
                       201),
                "id");
}

// Ada's footprint: a phone, a linked account, a QR payment to merchant, a
// recipient, a consent, a complaint, a settings row and an API key.
struct Footprint {
  std::string account_number;
  std::string transaction_id;
  std::string recipient_id;
  std::string complaint_id;
  Key key;
};

Footprint LeaveFootprint(httplib::Client& cli, const Account& who, const std::string& merchant,
                         const std::string& subject) {
  Footprint f;
  DataOf(PatchJson(cli, "/api/v1/users/me",
                   R"({"firstName":"Ada","lastName":"Lovelace","phone":"+4712345678"})",
                   Bearer(who.access)),
         200);
  auto account = DataOf(PostJson(cli, "/api/v1/bank-accounts",
                                 R"({"bankName":"DNB","initialBalance":1000})", Bearer(who.access)),
                        201);
  f.account_number = GetStr(account, "accountNumber");
  if (!merchant.empty()) {
    f.transaction_id = GetStr(
        DataOf(PostJson(cli, "/api/v1/transactions/qr-payment",
                        R"({"merchantId":")" + merchant + R"(","amount":10})", Bearer(who.access)),
               201),
        "id");
  }
  f.recipient_id = GetStr(DataOf(PostJson(cli, "/api/v1/recipients",
                                          R"({"name":"Mama Jasmina","country":"RS",)"
                                          R"("currency":"RSD","bankAccount":)"
                                          R"("RS35260005601001611379"})",
                                          Bearer(who.access)),
                                 201),
                          "id");
  DataOf(PostJson(cli, "/api/v1/consents", R"({"consentType":"marketing","granted":true})",
                  Bearer(who.access)),
         201);
  f.complaint_id = GetStr(DataOf(PostJson(cli, "/api/v1/complaints",
                                          R"({"category":"service","subject":")" + subject +
                                              R"(","description":"Slow."})",
                                          Bearer(who.access)),
                                 201),
                          "id");
  DataOf(PatchJson(cli, "/api/v1/settings", R"({"language":"en"})", Bearer(who.access)), 200);
  f.key = MakeKey(cli, who);
  return f;
}

size_t Count(const picojson::object& o, const char* key) {
  picojson::value v = Get(o, key);
  REQUIRE(v.is<picojson::array>());
  return v.get<picojson::array>().size();
}

long long CountFor(const ServerProcess& server, const std::string& table,
                   const std::string& user_id) {
  return QueryInt(server, "SELECT count(*) FROM " + table + " WHERE user_id = '" + user_id + "'");
}

// Waits (up to 10 s) until the dispatcher has handled every event about
// user_id; returns whether it did.
bool WaitDispatched(const ServerProcess& server, const std::string& user_id) {
  for (int i = 0; i < 200; ++i) {
    if (QueryInt(server, "SELECT count(*) FROM events WHERE dispatched_at IS NULL AND user_id = '" +
                             user_id + "'") == 0) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int GetStatus(httplib::Client& cli, const std::string& path, const httplib::Headers& headers) {
  auto res = cli.Get(path, headers);
  REQUIRE(res);
  return res->status;
}

}  // namespace

TEST_CASE("the data export holds the caller's data without secrets and nobody else's") {
  ServerProcess server;
  auto cli = server.Client();
  Account shop = RegisterAndLogin(cli, "shop@example.com");
  std::string merchant = RegisterMerchant(cli, shop);
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Footprint f = LeaveFootprint(cli, ada, merchant, "Ada's complaint");
  Account bob = RegisterAndLogin(cli, "bob@example.com");
  Footprint b = LeaveFootprint(cli, bob, "", "Bob's complaint");

  auto res = cli.Get("/api/v1/user/data-export", Bearer(ada.access));
  auto doc = DataOf(res, 200);
  CHECK(res->get_header_value("Content-Disposition").find("attachment") != std::string::npos);
  const std::string& body = res->body;

  CHECK(GetStr(doc, "user.id") == ada.id);
  CHECK(GetStr(doc, "user.email") == "ada@example.com");
  CHECK(GetStr(doc, "user.first_name") == "Ada");
  CHECK(GetStr(doc, "user.phone") == "+4712345678");
  CHECK(Count(doc, "bankAccounts") == 1);
  CHECK(body.find(f.account_number) != std::string::npos);
  REQUIRE(Count(doc, "transactions") == 1);
  CHECK(Get(doc, "transactions")
            .get<picojson::array>()[0]
            .get<picojson::object>()
            .at("id")
            .to_str() == f.transaction_id);
  CHECK(Count(doc, "recipients") == 1);
  CHECK(Count(doc, "consents") == 1);
  REQUIRE(Count(doc, "complaints") == 1);
  CHECK(body.find("Ada's complaint") != std::string::npos);
  REQUIRE(Count(doc, "apiKeys") == 1);
  const picojson::object key =
      Get(doc, "apiKeys").get<picojson::array>()[0].get<picojson::object>();
  CHECK(key.at("id").to_str() == f.key.id);
  CHECK(key.count("key_hash") == 0);
  CHECK(Count(doc, "sessions") >= 1);
  CHECK(Count(doc, "settings") == 1);
  CHECK(Count(doc, "events") >= 1);
  CHECK(Get(doc, "exportedAt").to_str().size() == 20);
  // The export lists itself.
  REQUIRE(Count(doc, "dataAccessRequests") == 1);
  CHECK(Get(doc, "dataAccessRequests")
            .get<picojson::array>()[0]
            .get<picojson::object>()
            .at("type")
            .to_str() == "export");

  // No secret: not the password hash, not the API key or its hash, not a token.
  CHECK(body.find("password_hash") == std::string::npos);
  CHECK(body.find(QueryText(server, "SELECT password_hash FROM users WHERE id = '" + ada.id +
                                        "'")) == std::string::npos);
  CHECK(body.find("$argon2") == std::string::npos);
  CHECK(body.find(f.key.key) == std::string::npos);
  CHECK(body.find(QueryText(server, "SELECT key_hash FROM api_keys WHERE id = '" + f.key.id +
                                        "'")) == std::string::npos);
  CHECK(body.find(ada.access) == std::string::npos);
  CHECK(body.find(ada.refresh) == std::string::npos);

  // Nobody else's data: not Bob's, not the shop owner's.
  for (const std::string& other :
       {bob.id, bob.email, b.account_number, b.recipient_id, b.complaint_id,
        std::string("Bob's complaint"), b.key.id, shop.id, shop.email}) {
    CAPTURE(other);
    CHECK(body.find(other) == std::string::npos);
  }

  // It is recorded, once per export.
  CHECK(QueryInt(server, "SELECT count(*) FROM data_access_requests WHERE user_id = '" + ada.id +
                             "' AND type = 'export'") == 1);
  auto bobs = cli.Get("/api/v1/user/data-export", Bearer(bob.access));
  REQUIRE(bobs);
  CHECK(bobs->status == 200);
  CHECK(bobs->body.find(ada.id) == std::string::npos);
  CHECK(bobs->body.find("ada@example.com") == std::string::npos);
  CHECK(QueryInt(server, "SELECT count(*) FROM data_access_requests") == 2);

  // Refused exports are not recorded: no sign-in, or an API key.
  long long before = QueryInt(server, "SELECT count(*) FROM data_access_requests");
  CHECK(GetStatus(cli, "/api/v1/user/data-export", {}) == 401);
  CHECK(GetStatus(cli, "/api/v1/user/data-export", {{"X-API-Key", f.key.key}}) == 403);
  CHECK(QueryInt(server, "SELECT count(*) FROM data_access_requests") == before);
}

TEST_CASE("erasing the account ends every way in, scrubs the person and keeps the transactions") {
  ServerProcess server;
  auto cli = server.Client();
  Account bob = RegisterAndLogin(cli, "bob@example.com");
  std::string merchant = RegisterMerchant(cli, bob);
  bob = Login(cli, bob.email);  // a token with the merchant role
  Key bobs_key = MakeKey(cli, bob);
  DataOf(PostJson(cli, "/api/v1/consents", R"({"consentType":"terms","granted":true})",
                  Bearer(bob.access)),
         201);
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Footprint f = LeaveFootprint(cli, ada, merchant, "Ada's complaint");
  WaitDispatched(server, ada.id);
  WaitDispatched(server, bob.id);
  REQUIRE(CountFor(server, "notifications", ada.id) >= 1);
  REQUIRE(CountFor(server, "consents", ada.id) == 1);
  REQUIRE(CountFor(server, "user_settings", ada.id) == 1);
  REQUIRE(GetStatus(cli, "/api/v1/auth/me", {{"X-API-Key", f.key.key}}) == 200);

  const std::string bob_row = UserRow(server, bob.id);
  const long long bob_consents = CountFor(server, "consents", bob.id);
  const long long bob_notifications = CountFor(server, "notifications", bob.id);
  const long long bob_events = CountFor(server, "events", bob.id);
  const std::string bob_merchant =
      QueryText(server,
                "SELECT business_name || '|' || coalesce(address, '') || '|' || "
                "bank_account FROM merchants WHERE id = '" +
                    merchant + "'");
  const std::string tx_before =
      QueryText(server,
                "SELECT user_id || '|' || status || '|' || amount || '|' || total FROM "
                "transactions WHERE id = '" +
                    f.transaction_id + "'");

  auto erased = DataOf(cli.Delete("/api/v1/user/account", Bearer(ada.access)), 200);
  CHECK(!GetStr(erased, "message").empty());
  CHECK(GetStr(erased, "retentionNote").find("5 years") != std::string::npos);

  // Every way in is closed: the token, the refresh token, the password, the key.
  auto me = cli.Get("/api/v1/auth/me", Bearer(ada.access));
  REQUIRE(me);
  CHECK(me->status == 401);
  CHECK(GetStr(JsonBody(me->body), "error.code") == "unauthorized");
  auto refresh =
      PostJson(cli, "/api/v1/auth/refresh", R"({"refreshToken":")" + ada.refresh + "\"}");
  REQUIRE(refresh);
  CHECK(refresh->status == 401);
  auto login =
      PostJson(cli, "/api/v1/auth/login",
               R"({"email":"ada@example.com","password":")" + std::string(kPassword) + "\"}");
  REQUIRE(login);
  CHECK(login->status == 401);
  CHECK(GetStatus(cli, "/api/v1/auth/me", {{"X-API-Key", f.key.key}}) == 401);
  CHECK(QueryInt(server,
                 "SELECT revoked_at IS NOT NULL FROM api_keys WHERE id = '" + f.key.id + "'") == 1);

  // The person is gone from the account row.
  const std::string where = " FROM users WHERE id = '" + ada.id + "'";
  CHECK(QueryText(server, "SELECT status" + where) == "deleted");
  CHECK(QueryText(server, "SELECT email" + where) != "ada@example.com");
  CHECK(QueryText(server, "SELECT first_name" + where) != "Ada");
  CHECK(QueryText(server, "SELECT last_name" + where) != "Lovelace");
  CHECK(QueryInt(server, "SELECT phone IS NULL" + where) == 1);
  CHECK(QueryInt(server,
                 "SELECT count(*) FROM users WHERE email LIKE '%ada@example.com%' OR "
                 "phone = '+4712345678' OR last_name = 'Lovelace'") == 0);
  // What only the person had is deleted; the recipient is hidden and cut.
  for (const char* table : {"consents", "notifications", "user_settings", "events"}) {
    CAPTURE(table);
    CHECK(CountFor(server, table, ada.id) == 0);
  }
  const std::string rwhere = " FROM recipients WHERE id = '" + f.recipient_id + "'";
  CHECK(QueryInt(server, "SELECT deleted_at IS NOT NULL" + rwhere) == 1);
  CHECK(QueryText(server, "SELECT bank_account" + rwhere).size() == 4);

  // The transaction stays, as it was, for the AML retention.
  CHECK(QueryText(server,
                  "SELECT user_id || '|' || status || '|' || amount || '|' || total FROM "
                  "transactions WHERE id = '" +
                      f.transaction_id + "'") == tx_before);
  CHECK(CountFor(server, "transactions", ada.id) == 1);
  CHECK(QueryInt(server, "SELECT count(*) FROM data_access_requests WHERE user_id = '" + ada.id +
                             "' AND type = 'erasure'") == 1);

  // Bob, the merchant she paid, is untouched.
  CHECK(UserRow(server, bob.id) == bob_row);
  CHECK(CountFor(server, "consents", bob.id) == bob_consents);
  CHECK(CountFor(server, "notifications", bob.id) == bob_notifications);
  CHECK(CountFor(server, "events", bob.id) == bob_events);
  CHECK(QueryText(server,
                  "SELECT business_name || '|' || coalesce(address, '') || '|' || "
                  "bank_account FROM merchants WHERE id = '" +
                      merchant + "'") == bob_merchant);
  CHECK(GetStatus(cli, "/api/v1/auth/me", Bearer(bob.access)) == 200);
  CHECK(GetStatus(cli, "/api/v1/auth/me", {{"X-API-Key", bobs_key.key}}) == 200);

  // Erasing again with the dead token is refused and records nothing.
  auto again = cli.Delete("/api/v1/user/account", Bearer(ada.access));
  REQUIRE(again);
  CHECK(again->status == 401);
  CHECK(QueryInt(server, "SELECT count(*) FROM data_access_requests") == 1);

  // The address is free again: a new account, a new id.
  Account reborn = RegisterAndLogin(cli, "ada@example.com");
  CHECK(reborn.id != ada.id);
  auto fresh = cli.Get("/api/v1/user/data-export", Bearer(reborn.access));
  auto doc = DataOf(fresh, 200);
  CHECK(Count(doc, "transactions") == 0);
  CHECK(Count(doc, "consents") == 0);
  CHECK(fresh->body.find(f.transaction_id) == std::string::npos);
}
