// API keys over HTTP: the key is shown once and stored as a hash, validation
// stores nothing, a key acts for its owner only on routes that name one of
// its scopes and never on admin routes, and unknown, malformed, revoked,
// expired and orphaned keys are refused.

#include <doctest/doctest.h>
#include <sodium.h>

#include <chrono>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include "accounts.h"
#include "harness.h"

using namespace cairn::test;

namespace {

const char kAllScopes[] =
    R"(["transactions:read","transactions:write","rates:read","webhooks:manage","profile:read"])";

struct Key {
  std::string id;
  std::string key;
};

// A Unix time as ISO 8601 UTC ("2026-01-15T10:30:00Z").
std::string IsoUtc(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string Sha256Hex(const std::string& s) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(s.data()), s.size());
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : digest) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

// Creates a key with the given JSON scopes array; fails the test if refused.
Key MakeKey(httplib::Client& cli, const Account& who, const std::string& scopes,
            const std::string& extra = "") {
  auto res = PostJson(cli, "/api/v1/api-keys", R"({"name":"ci","scopes":)" + scopes + extra + "}",
                      Bearer(who.access));
  REQUIRE(res);
  INFO(res->body);
  REQUIRE(res->status == 201);
  auto o = JsonBody(res->body);
  return {GetStr(o, "data.id"), GetStr(o, "data.key")};
}

httplib::Headers KeyHeader(const std::string& key) { return {{"X-API-Key", key}}; }

int GetStatus(httplib::Client& cli, const std::string& path, const httplib::Headers& headers) {
  auto res = cli.Get(path, headers);
  REQUIRE(res);
  return res->status;
}

long long KeyCount(const ServerProcess& server) {
  return QueryInt(server, "SELECT count(*) FROM api_keys");
}

}  // namespace

TEST_CASE("an API key is shown once at creation; the list and the database never hold it") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");

  std::string expires = IsoUtc(std::time(nullptr) + 86400);
  auto res = PostJson(cli, "/api/v1/api-keys",
                      R"({"name":"deploy bot","scopes":["rates:read","profile:read"],)"
                      R"("expiresAt":")" +
                          expires + R"("})",
                      Bearer(ada.access));
  REQUIRE(res);
  INFO(res->body);
  REQUIRE(res->status == 201);
  auto body = JsonBody(res->body);
  std::string id = GetStr(body, "data.id");
  std::string key = GetStr(body, "data.key");
  CHECK(IsHexId(id, "key_"));
  CHECK(key.size() == 46);
  CHECK(key.compare(0, 3, "ck_") == 0);
  CHECK(GetStr(body, "data.name") == "deploy bot");
  CHECK(GetStr(body, "data.prefix") == key.substr(0, GetStr(body, "data.prefix").size()));
  CHECK(GetStr(body, "data.prefix").size() >= 4);
  picojson::value scopes = Get(body, "data.scopes");
  REQUIRE(scopes.is<picojson::array>());
  CHECK(scopes.get<picojson::array>().size() == 2);
  CHECK(GetStr(body, "data.expiresAt") == expires);
  CHECK(IsIsoTime(GetStr(body, "data.createdAt")));

  // Without expiresAt the key never expires: expiresAt is null.
  auto forever = PostJson(cli, "/api/v1/api-keys", R"({"name":"cron","scopes":["rates:read"]})",
                          Bearer(ada.access));
  REQUIRE(forever);
  REQUIRE(forever->status == 201);
  auto forever_body = JsonBody(forever->body);
  CHECK(Get(forever_body, "data.expiresAt").is<picojson::null>());
  CHECK(GetStr(forever_body, "data.key") != key);

  // A name of exactly 100 characters is still a name.
  auto longest = PostJson(cli, "/api/v1/api-keys",
                          R"({"name":")" + std::string(100, 'n') + R"(","scopes":["rates:read"]})",
                          Bearer(ada.access));
  REQUIRE(longest);
  CHECK(longest->status == 201);

  // The list has the keys, without key material.
  auto list = cli.Get("/api/v1/api-keys", Bearer(ada.access));
  REQUIRE(list);
  CHECK(list->status == 200);
  CHECK(list->body.find(key) == std::string::npos);
  picojson::value data = Get(JsonBody(list->body), "data");
  REQUIRE(data.is<picojson::array>());
  REQUIRE(data.get<picojson::array>().size() == 3);
  bool found = false;
  for (const auto& item : data.get<picojson::array>()) {
    const auto& o = item.get<picojson::object>();
    CHECK(o.count("key") == 0);
    CHECK(o.count("prefix") == 1);
    if (o.at("id").get<std::string>() == id) found = true;
  }
  CHECK(found);

  // The database keeps only the SHA-256 of the key.
  std::string hash = QueryText(server, "SELECT key_hash FROM api_keys WHERE id = '" + id + "'");
  CHECK(hash != key);
  CHECK(hash == Sha256Hex(key));
  CHECK(QueryInt(server, "SELECT count(*) FROM api_keys WHERE key_hash LIKE '%ck_%'") == 0);
}

TEST_CASE("an invalid API key request is 422 and stores nothing") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");

  struct Bad {
    std::string body;
    const char* field;
  };
  const std::vector<Bad> bad = {
      {R"({"scopes":["rates:read"]})", "name"},
      {R"({"name":"","scopes":["rates:read"]})", "name"},
      {R"({"name":7,"scopes":["rates:read"]})", "name"},
      {R"({"name":")" + std::string(101, 'n') + R"(","scopes":["rates:read"]})", "name"},
      {R"({"name":"ci"})", "scopes"},
      {R"({"name":"ci","scopes":[]})", "scopes"},
      {R"({"name":"ci","scopes":["admin:all"]})", "scopes"},
      {R"({"name":"ci","scopes":["rates:read","admin:all"]})", "scopes"},
      {R"({"name":"ci","scopes":"rates:read"})", "scopes"},
      {R"({"name":"ci","scopes":[7]})", "scopes"},
      {R"({"name":"ci","scopes":["rates:read"],"expiresAt":"2020-01-01T00:00:00Z"})", "expiresAt"},
      {R"({"name":"ci","scopes":["rates:read"],"expiresAt":")" + IsoUtc(std::time(nullptr) - 5) +
           "\"}",
       "expiresAt"},
      {R"({"name":"ci","scopes":["rates:read"],"expiresAt":"next tuesday"})", "expiresAt"},
      {R"({"name":"ci","scopes":["rates:read"],"expiresAt":"2099-13-01T00:00:00Z"})", "expiresAt"},
      {R"({"name":"ci","scopes":["rates:read"],"expiresAt":"2099-01-01 00:00:00"})", "expiresAt"},
      {R"({"name":"ci","scopes":["rates:read"],"expiresAt":4102444800})", "expiresAt"},
  };
  for (const Bad& b : bad) {
    CAPTURE(b.body);
    auto res = PostJson(cli, "/api/v1/api-keys", b.body, Bearer(ada.access));
    REQUIRE(res);
    CHECK(res->status == 422);
    auto body = JsonBody(res->body);
    CHECK(GetStr(body, "error.code") == "validation_error");
    picojson::value details = Get(body, "error.details");
    REQUIRE(details.is<picojson::array>());
    REQUIRE(!details.get<picojson::array>().empty());
    CHECK(details.get<picojson::array>()[0].get<picojson::object>().at("field").to_str() ==
          b.field);
    CHECK(res->body.find("ck_") == std::string::npos);
  }
  CHECK(KeyCount(server) == 0);
  CHECK(QueryInt(server, "SELECT count(*) FROM audit_log WHERE action = 'api_key.created'") == 0);

  // Without a sign-in there is no key either.
  auto anonymous = PostJson(cli, "/api/v1/api-keys", R"({"name":"ci","scopes":["rates:read"]})");
  REQUIRE(anonymous);
  CHECK(anonymous->status == 401);
  CHECK(ErrorCode(anonymous) == "unauthorized");
  CHECK(KeyCount(server) == 0);
}

TEST_CASE("an API key acts for its owner only on routes that name one of its scopes") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Key profile = MakeKey(cli, ada, R"(["profile:read"])");
  Key rates = MakeKey(cli, ada, R"(["rates:read"])");
  Key all = MakeKey(cli, ada, kAllScopes);

  // profile:read opens the owner's own profile, on both routes that name it.
  for (const char* path : {"/api/v1/auth/me", "/api/v1/users/me"}) {
    CAPTURE(path);
    auto res = cli.Get(path, KeyHeader(profile.key));
    REQUIRE(res);
    CHECK(res->status == 200);
    auto body = JsonBody(res->body);
    CHECK(GetStr(body, "data.id") == ada.id);
    CHECK(GetStr(body, "data.email") == "ada@example.com");
  }

  // A key without the scope is refused.
  auto no_scope = cli.Get("/api/v1/auth/me", KeyHeader(rates.key));
  REQUIRE(no_scope);
  CHECK(no_scope->status == 403);
  CHECK(ErrorCode(no_scope) == "forbidden");

  // Routes that name no scope are closed to every key, whatever it holds:
  // a key cannot list keys, mint keys or edit the profile.
  long long keys_before = KeyCount(server);
  std::string name_before =
      QueryText(server, "SELECT first_name FROM users WHERE id = '" + ada.id + "'");
  for (const Key& k : {profile, rates, all}) {
    CAPTURE(k.key);
    auto list = cli.Get("/api/v1/api-keys", KeyHeader(k.key));
    REQUIRE(list);
    CHECK(list->status == 403);
    CHECK(ErrorCode(list) == "forbidden");

    auto mint = PostJson(cli, "/api/v1/api-keys", R"({"name":"child","scopes":["rates:read"]})",
                         KeyHeader(k.key));
    REQUIRE(mint);
    CHECK(mint->status == 403);
    CHECK(ErrorCode(mint) == "forbidden");
    CHECK(mint->body.find("ck_") == std::string::npos);

    auto edit = PatchJson(cli, "/api/v1/users/me", R"({"firstName":"Eve"})", KeyHeader(k.key));
    REQUIRE(edit);
    CHECK(edit->status == 403);
    CHECK(ErrorCode(edit) == "forbidden");

    auto revoke = cli.Delete("/api/v1/api-keys/" + k.id, KeyHeader(k.key));
    REQUIRE(revoke);
    CHECK(revoke->status == 403);
    CHECK(ErrorCode(revoke) == "forbidden");
  }
  CHECK(KeyCount(server) == keys_before);
  CHECK(QueryInt(server, "SELECT count(*) FROM api_keys WHERE revoked_at IS NOT NULL") == 0);
  CHECK(QueryText(server, "SELECT first_name FROM users WHERE id = '" + ada.id + "'") ==
        name_before);
  CHECK(name_before == "Test");
}

TEST_CASE("an admin's API key never reaches admin routes, while the admin's token does") {
  ServerProcess server;
  auto cli = server.Client();
  Account admin = CreateWithCli(server, cli, "admin@example.com", "admin");
  Key all = MakeKey(cli, admin, kAllScopes);

  auto by_key = cli.Get("/api/v1/users", KeyHeader(all.key));
  REQUIRE(by_key);
  CHECK(by_key->status == 403);
  CHECK(ErrorCode(by_key) == "forbidden");
  CHECK(by_key->body.find("admin@example.com") == std::string::npos);

  auto audit = cli.Get("/api/v1/admin/audit-log", KeyHeader(all.key));
  REQUIRE(audit);
  CHECK(audit->status == 403);

  // Nor can it make an account.
  long long users_before = QueryInt(server, "SELECT count(*) FROM users");
  auto create = PostJson(cli, "/api/v1/users",
                         R"({"email":"eve@example.com","password":"Passw0rd1","firstName":"Eve",)"
                         R"("lastName":"Hacker","dateOfBirth":"1990-01-01","role":"admin"})",
                         KeyHeader(all.key));
  REQUIRE(create);
  CHECK(create->status == 403);
  CHECK(QueryInt(server, "SELECT count(*) FROM users") == users_before);

  CHECK(GetStatus(cli, "/api/v1/users", Bearer(admin.access)) == 200);
  // The same key still works where its scopes allow.
  CHECK(GetStatus(cli, "/api/v1/auth/me", KeyHeader(all.key)) == 200);
}

TEST_CASE("unknown, malformed, revoked and expired API keys are 401") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  // Expires in two seconds: created first, so that its clock starts now.
  std::time_t expiry = std::time(nullptr) + 2;
  Key expiring =
      MakeKey(cli, ada, R"(["profile:read"])", R"(,"expiresAt":")" + IsoUtc(expiry) + "\"");
  Key live = MakeKey(cli, ada, R"(["profile:read"])");
  Key doomed = MakeKey(cli, ada, R"(["profile:read"])");

  auto expect_401 = [&](const std::string& key) {
    CAPTURE(key);
    auto res = cli.Get("/api/v1/auth/me", KeyHeader(key));
    REQUIRE(res);
    CHECK(res->status == 401);
    CHECK(ErrorCode(res) == "unauthorized");
    CHECK(res->body.find("ada@example.com") == std::string::npos);
  };

  std::string suffix = live.key.substr(3);
  for (const std::string& key :
       {std::string("ck_") + std::string(43, 'A'),  // well formed, unknown
        "xk_" + suffix,                             // wrong prefix
        "CK_" + suffix,                             // prefix is case-sensitive
        live.key.substr(0, 45),                     // one short
        live.key + "A",                             // one long
        std::string("ck_"), std::string(500, 'k'), std::string("Bearer ") + live.key}) {
    expect_401(key);
  }
  // None of that touched the real keys.
  CHECK(QueryInt(server, "SELECT count(*) FROM api_keys WHERE last_used_at IS NOT NULL") == 0);
  CHECK(KeyCount(server) == 3);

  // Revoked: 204, then refused at once; revoking again is 404.
  CHECK(GetStatus(cli, "/api/v1/auth/me", KeyHeader(doomed.key)) == 200);
  auto revoke = cli.Delete("/api/v1/api-keys/" + doomed.id, Bearer(ada.access));
  REQUIRE(revoke);
  CHECK(revoke->status == 204);
  CHECK(revoke->body.empty());
  expect_401(doomed.key);
  CHECK(QueryInt(server, "SELECT count(*) FROM api_keys WHERE id = '" + doomed.id +
                             "' AND revoked_at IS NOT NULL") == 1);
  auto again = cli.Delete("/api/v1/api-keys/" + doomed.id, Bearer(ada.access));
  REQUIRE(again);
  CHECK(again->status == 404);
  CHECK(ErrorCode(again) == "not_found");
  // The revoked key is gone from the list; the others stay and still work.
  auto list = cli.Get("/api/v1/api-keys", Bearer(ada.access));
  REQUIRE(list);
  CHECK(list->body.find(doomed.id) == std::string::npos);
  CHECK(list->body.find(live.id) != std::string::npos);
  CHECK(GetStatus(cli, "/api/v1/auth/me", KeyHeader(live.key)) == 200);

  // Expired: once the server's clock reaches expiresAt, the key is refused.
  while (std::time(nullptr) < expiry) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  expect_401(expiring.key);
  CHECK(GetStatus(cli, "/api/v1/auth/me", KeyHeader(live.key)) == 200);
}

TEST_CASE("another user's API key cannot be revoked or listed, and keeps working") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Account bob = RegisterAndLogin(cli, "bob@example.com");
  Key adas = MakeKey(cli, ada, R"(["profile:read"])");
  Key bobs = MakeKey(cli, bob, R"(["rates:read"])");

  for (const std::string& id :
       {adas.id, std::string("key_0000000000000000"), std::string("not-an-id"),
        std::string("key_") + std::string(200, 'a')}) {
    CAPTURE(id);
    auto res = cli.Delete("/api/v1/api-keys/" + id, Bearer(bob.access));
    REQUIRE(res);
    CHECK(res->status == 404);
    CHECK(ErrorCode(res) == "not_found");
  }
  CHECK(QueryInt(server, "SELECT count(*) FROM api_keys WHERE revoked_at IS NOT NULL") == 0);
  auto me = cli.Get("/api/v1/auth/me", KeyHeader(adas.key));
  REQUIRE(me);
  CHECK(me->status == 200);
  CHECK(GetStr(JsonBody(me->body), "data.id") == ada.id);

  // Each sees only their own key.
  auto list = cli.Get("/api/v1/api-keys", Bearer(bob.access));
  REQUIRE(list);
  CHECK(list->status == 200);
  picojson::value data = Get(JsonBody(list->body), "data");
  REQUIRE(data.is<picojson::array>());
  REQUIRE(data.get<picojson::array>().size() == 1);
  CHECK(data.get<picojson::array>()[0].get<picojson::object>().at("id").to_str() == bobs.id);
  CHECK(list->body.find(adas.id) == std::string::npos);
}

TEST_CASE("the first use of an API key records last_used_at") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Key key = MakeKey(cli, ada, R"(["profile:read"])");
  const std::string where = " FROM api_keys WHERE id = '" + key.id + "'";
  CHECK(QueryInt(server, "SELECT last_used_at IS NULL" + where) == 1);

  long long before = std::time(nullptr);
  CHECK(GetStatus(cli, "/api/v1/auth/me", KeyHeader(key.key)) == 200);
  CHECK(QueryInt(server, "SELECT last_used_at IS NULL" + where) == 0);
  long long used = QueryInt(server, "SELECT last_used_at" + where);
  CHECK(used >= before);
  CHECK(used <= std::time(nullptr));

  // The list shows it too.
  auto list = cli.Get("/api/v1/api-keys", Bearer(ada.access));
  REQUIRE(list);
  auto item = Get(JsonBody(list->body), "data").get<picojson::array>()[0].get<picojson::object>();
  REQUIRE(item.count("lastUsedAt") == 1);
  CHECK(IsIsoTime(item.at("lastUsedAt").to_str()));
}

TEST_CASE("an API key of a soft-deleted account is 401") {
  ServerProcess server;
  auto cli = server.Client();
  Account admin = CreateWithCli(server, cli, "admin@example.com", "admin");
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Key key = MakeKey(cli, ada, R"(["profile:read"])");
  REQUIRE(GetStatus(cli, "/api/v1/auth/me", KeyHeader(key.key)) == 200);

  auto del = cli.Delete("/api/v1/users/" + ada.id, Bearer(admin.access));
  REQUIRE(del);
  REQUIRE(del->status == 204);
  CHECK(QueryText(server, "SELECT status FROM users WHERE id = '" + ada.id + "'") == "deleted");

  auto res = cli.Get("/api/v1/auth/me", KeyHeader(key.key));
  REQUIRE(res);
  CHECK(res->status == 401);
  CHECK(ErrorCode(res) == "unauthorized");
  CHECK(GetStatus(cli, "/api/v1/users/me", KeyHeader(key.key)) == 401);
}

TEST_CASE("when a bearer token and an API key are both sent, the bearer token decides") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Key key = MakeKey(cli, ada, R"(["profile:read"])");

  // A valid bearer with a garbage key: the bearer is judged, the key ignored.
  httplib::Headers both = Bearer(ada.access);
  both.emplace("X-API-Key", "ck_garbage");
  auto ok = cli.Get("/api/v1/auth/me", both);
  REQUIRE(ok);
  CHECK(ok->status == 200);
  // A bearer unlocks what no key may do, even next to a key.
  both.erase("X-API-Key");
  both.emplace("X-API-Key", key.key);
  CHECK(GetStatus(cli, "/api/v1/api-keys", both) == 200);
  CHECK(QueryInt(server, "SELECT count(*) FROM api_keys WHERE last_used_at IS NOT NULL") == 0);

  // A bad bearer with a valid key is refused: the key does not rescue it.
  httplib::Headers bad = {{"Authorization", "Bearer not-a-token"}, {"X-API-Key", key.key}};
  auto refused = cli.Get("/api/v1/auth/me", bad);
  REQUIRE(refused);
  CHECK(refused->status == 401);
  CHECK(ErrorCode(refused) == "unauthorized");
}

TEST_CASE("at most 50 live API keys per account: the 51st is 409 and stores nothing") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Key first = MakeKey(cli, ada, R"(["rates:read"])");
  for (int i = 1; i < 50; ++i) MakeKey(cli, ada, R"(["rates:read"])");
  REQUIRE(KeyCount(server) == 50);

  auto over = PostJson(cli, "/api/v1/api-keys",
                       R"({"name":"one too many","scopes":["rates:read"]})", Bearer(ada.access));
  REQUIRE(over);
  CHECK(over->status == 409);
  CHECK(ErrorCode(over) == "conflict");
  CHECK(over->body.find("ck_") == std::string::npos);
  CHECK(KeyCount(server) == 50);

  // Revoking one frees a place.
  auto revoke = cli.Delete("/api/v1/api-keys/" + first.id, Bearer(ada.access));
  REQUIRE(revoke);
  REQUIRE(revoke->status == 204);
  MakeKey(cli, ada, R"(["rates:read"])");
  CHECK(KeyCount(server) == 51);
}
