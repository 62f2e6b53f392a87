// Webhooks over HTTP (API.md §10): registering checks the URL and its
// target and shows the secret once; events reach the receiver signed both
// ways; a failing receiver is retried on a schedule and then given up; a
// redirect is not followed; a slow receiver holds no one else up; pending
// deliveries survive a restart; deleting an endpoint stops its deliveries;
// a delivery can be sent again; nobody sees another user's endpoints.

#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "accounts.h"
#include "domain_setup.h"
#include "harness.h"
#include "lists.h"
#include "webhook_receiver.h"
#include "webhook_setup.h"

using namespace cairn::test;
using namespace std::chrono_literals;

TEST_CASE("a webhook is registered with its secret shown once, and read back without it") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");

  // Public addresses need no allowance: a literal public address is checked
  // without a lookup, and nothing is sent until an event comes.
  auto res = PostJson(cli, kWebhooksPath,
                      HookBody("http://93.184.216.34:8080/hooks/cairn?src=1",
                           R"(["transaction.completed","transaction.failed","transaction.completed"])"),
                      Bearer(ada.access));
  auto data = DataOf(res, 201);
  std::string id = GetStr(data, "id");
  CHECK(IsHexId(id, "whk_"));
  CHECK(GetStr(data, "url") == "http://93.184.216.34:8080/hooks/cairn?src=1");
  CHECK(picojson::value(Get(data, "events")).serialize() ==
        R"(["transaction.completed","transaction.failed"])");
  std::string secret = GetStr(data, "secret");
  CHECK(secret.rfind("whsec_", 0) == 0);
  CHECK(secret.size() == 38);
  CHECK(IsIsoTime(GetStr(data, "createdAt")));

  auto one = cli.Get(std::string(kWebhooksPath) + "/" + id, Bearer(ada.access));
  auto got = DataOf(one, 200);
  CHECK(GetStr(got, "id") == id);
  CHECK(got.count("secret") == 0);
  CHECK(one->body.find(secret) == std::string::npos);

  auto list = cli.Get(kWebhooksPath, Bearer(ada.access));
  REQUIRE(list);
  CHECK(list->status == 200);
  CHECK(list->body.find(id) != std::string::npos);
  CHECK(list->body.find(secret) == std::string::npos);
}

TEST_CASE("bad webhook URLs and event lists are refused, each named, and nothing is written") {
  ServerProcess server;
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  std::string before = HookTablesWritten(server);

  struct Bad {
    std::string body;
    const char* field;
    const char* code;
  };
  const std::vector<Bad> bad = {
      {HookBody("ftp://93.184.216.34/x"), "url", "unsupported_scheme"},
      {HookBody("http://user:pw@93.184.216.34/x"), "url", "userinfo_not_allowed"},
      {HookBody("http://93.184.216.34/x#frag"), "url", "fragment_not_allowed"},
      {HookBody("/relative/path"), "url", "invalid_format"},
      {HookBody("http://2130706433/"), "url", "invalid_host"},
      {HookBody("http://93.184.216.34:99999/"), "url", "invalid_port"},
      {HookBody("http://93.184.216.34/" + std::string(2100, 'a')), "url", "too_long"},
      {HookBody("http://93.184.216.34/", "[]"), "events", "invalid_length"},
      {HookBody("http://93.184.216.34/", R"(["transaction.exploded"])"), "events", "invalid_value"},
      {HookBody("http://93.184.216.34/", R"(["*","transaction.created"])"), "events",
       "invalid_value"},
      {HookBody("http://93.184.216.34/", R"("transaction.created")"), "events", "invalid_type"},
      {HookBody("http://93.184.216.34/", R"([1])"), "events", "invalid_type"},
      {R"({"events":["*"]})", "url", "required"},
      {R"({"url":"http://93.184.216.34/"})", "events", "required"},
  };
  for (const Bad& b : bad) {
    CAPTURE(b.body.substr(0, 120));
    auto res = PostJson(cli, kWebhooksPath, b.body, Bearer(ada.access));
    REQUIRE(res);
    CHECK(res->status == 422);
    CHECK(ErrorCode(res) == "validation_error");
    auto codes = DetailCodes(JsonBody(res->body));
    CHECK(codes[b.field] == b.code);
  }
  // Both bad at once: both named.
  auto both = PostJson(cli, kWebhooksPath, HookBody("ftp://x/", "[]"), Bearer(ada.access));
  auto codes = DetailCodes(JsonBody(both->body));
  CHECK(codes.count("url") == 1);
  CHECK(codes.count("events") == 1);
  CHECK(HookTablesWritten(server) == before);
}

TEST_CASE("webhooks aimed at loopback, private or link-local addresses are refused") {
  ServerProcess server;  // WEBHOOK_ALLOW_PRIVATE unset
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  WebhookReceiver receiver;
  std::string before = HookTablesWritten(server);

  for (const std::string& url :
       {receiver.Url(), std::string("http://localhost:") + std::to_string(receiver.port()) + "/",
        std::string("http://[::1]/"), std::string("http://[::ffff:127.0.0.1]/"),
        std::string("http://10.0.0.8/"), std::string("http://192.168.1.1/"),
        std::string("http://169.254.169.254/latest/meta-data/"), std::string("http://0.0.0.0/"),
        std::string("http://[fe80::1]/"), std::string("http://224.0.0.1/")}) {
    CAPTURE(url);
    auto res = PostJson(cli, kWebhooksPath, HookBody(url), Bearer(ada.access));
    REQUIRE(res);
    CHECK(res->status == 422);
    CHECK(DetailCodes(JsonBody(res->body))["url"] == "private_address");
  }
  CHECK(HookTablesWritten(server) == before);
  CHECK(receiver.All().empty());
}

TEST_CASE("webhooks need a signed-in user or a key with webhooks:manage, and stay the owner's") {
  ServerProcess server(HookServer());
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Account bob = RegisterAndLogin(cli, "bob@example.com");
  WebhookReceiver receiver;
  Hook hook = RegisterHook(cli, ada, receiver.Url());

  auto anon = PostJson(cli, kWebhooksPath, HookBody(receiver.Url()), {});
  CHECK(anon->status == 401);
  CHECK(ErrorCode(anon) == "unauthorized");

  auto key_for = [&](const std::string& scopes) {
    auto res = PostJson(cli, "/api/v1/api-keys", R"({"name":"ci","scopes":)" + scopes + "}",
                        Bearer(ada.access));
    return GetStr(DataOf(res, 201), "key");
  };
  httplib::Headers manage = {{"X-API-Key", key_for(R"(["webhooks:manage"])")}};
  httplib::Headers read_only = {{"X-API-Key", key_for(R"(["transactions:read"])")}};
  auto listed = cli.Get(kWebhooksPath, manage);
  CHECK(listed->status == 200);
  CHECK(listed->body.find(hook.id) != std::string::npos);
  CHECK(cli.Get(kWebhooksPath, read_only)->status == 403);
  std::string before = HookTablesWritten(server);
  auto refused = PostJson(cli, kWebhooksPath, HookBody(receiver.Url()), read_only);
  CHECK(refused->status == 403);
  CHECK(ErrorCode(refused) == "forbidden");

  // Bob sees none of it, and cannot touch it.
  std::string path = std::string(kWebhooksPath) + "/" + hook.id;
  auto peek = cli.Get(path, Bearer(bob.access));
  CHECK(peek->status == 404);
  CHECK(ErrorCode(peek) == "not_found");
  CHECK(cli.Get(path + "/deliveries", Bearer(bob.access))->status == 404);
  CHECK(cli.Delete(path, Bearer(bob.access))->status == 404);
  CHECK(cli.Get(kWebhooksPath, Bearer(bob.access))->body.find(hook.id) == std::string::npos);
  CHECK(cli.Get(std::string(kWebhooksPath) + "/not-an-id", Bearer(ada.access))->status == 404);
  CHECK(HookTablesWritten(server) == before);
}

TEST_CASE("an event reaches the receiver once, signed both ways, and the delivery records it") {
  ServerProcess server(HookServer());
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  WebhookReceiver receiver;
  Hook hook = RegisterHook(cli, ada, receiver.Url());

  std::string account = LinkDnbAccount(cli, ada);
  auto got = receiver.WaitFor(1);
  REQUIRE(got.size() == 1);
  const auto& r = got.front();
  CHECK(r.path == "/hook");
  CHECK(r.Header("Content-Type") == "application/json");
  CHECK(r.Header("User-Agent").rfind("Cairn-Webhooks/", 0) == 0);
  CHECK(SignedBy(r, hook.secret));
  CHECK_FALSE(SignedBy(r, "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
  auto ts = std::stoll(r.Header("X-Webhook-Timestamp"));
  CHECK(std::abs(ts - static_cast<long long>(std::time(nullptr))) < 30);

  auto body = JsonBody(r.body);
  CHECK(GetStr(body, "type") == "bank_account.linked");
  CHECK(GetStr(body, "version") == "1");
  CHECK(IsHexId(GetStr(body, "id"), "evt_"));
  CHECK(GetStr(body, "id") == r.Header("X-Webhook-Id"));
  CHECK(IsIsoTime(GetStr(body, "timestamp")));
  CHECK(GetStr(body, "data.id") == account);

  auto d = AwaitHookDelivery(cli, ada, hook.id, "delivered", 1);
  CHECK(IsHexId(GetStr(d, "id"), "whd_"));
  CHECK(GetStr(d, "eventId") == GetStr(body, "id"));
  CHECK(GetStr(d, "eventType") == "bank_account.linked");
  CHECK(Get(d, "lastStatusCode").get<int64_t>() == 200);
  CHECK(IsIsoTime(GetStr(d, "completedAt")));
  auto tries = Get(d, "attempts").get<picojson::array>();
  REQUIRE(tries.size() == 1);
  auto t = tries.front().get<picojson::object>();
  CHECK(Get(t, "number").get<int64_t>() == 1);
  CHECK(Get(t, "statusCode").get<int64_t>() == 200);
  CHECK(Get(t, "durationMs").get<int64_t>() >= 0);
  CHECK(t.count("error") == 0);
  // Exactly once.
  std::this_thread::sleep_for(500ms);
  CHECK(receiver.All().size() == 1);
}

TEST_CASE("the Standard Webhooks library verifies a real delivery as it is, and refuses it altered") {
  ServerProcess server(HookServer());
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  WebhookReceiver receiver;
  Hook hook = RegisterHook(cli, ada, receiver.Url());
  LinkDnbAccount(cli, ada);
  auto got = receiver.WaitFor(1);
  REQUIRE(got.size() == 1);

  TempDir dir;
  auto write = [&](const std::string& name, const std::string& body) {
    picojson::object headers;
    for (const char* h : {"webhook-id", "webhook-timestamp", "webhook-signature"}) {
      headers[h] = picojson::value(got[0].Header(h));
    }
    picojson::object d;
    d["headers"] = picojson::value(headers);
    d["body"] = picojson::value(body);
    std::string path = dir.File(name);
    std::ofstream(path) << picojson::value(d).serialize();
    return path;
  };
  CliResult ok = RunNode({"tests/interop/standard_webhooks.js", hook.secret,
                          write("genuine.json", got[0].body)});
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(ok.out == got[0].Header("webhook-id"));

  CliResult altered = RunNode({"tests/interop/standard_webhooks.js", hook.secret,
                               write("altered.json", got[0].body + " ")});
  CHECK(altered.exit_code == 1);
  CliResult other = RunNode({"tests/interop/standard_webhooks.js",
                             "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                             write("genuine2.json", got[0].body)});
  CHECK(other.exit_code == 1);
}

TEST_CASE("an endpoint gets only the event types it asked for, and only its owner's events") {
  ServerProcess server(HookServer());
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Account bob = RegisterAndLogin(cli, "bob@example.com");
  WebhookReceiver all, recipients_only;
  RegisterHook(cli, ada, all.Url());
  RegisterHook(cli, ada, recipients_only.Url(), R"(["recipient.created"])");

  LinkDnbAccount(cli, bob);  // Bob's: neither endpoint hears of it
  LinkDnbAccount(cli, ada);  // bank_account.linked: only `all`
  auto res = PostJson(cli, "/api/v1/recipients",
                      R"({"name":"Mama","country":"RS","currency":"RSD","bankAccount":"RS35260005601001611379"})",
                      Bearer(ada.access));
  REQUIRE(res->status == 201);
  auto got_all = all.WaitFor(2);
  auto got_rcp = recipients_only.WaitFor(1);
  std::this_thread::sleep_for(500ms);
  REQUIRE(all.All().size() == 2);
  REQUIRE(recipients_only.All().size() == 1);
  // Two tries to one endpoint may run at once, so arrival order is not
  // guaranteed (docs/API.md §10).
  std::set<std::string> types = {GetStr(JsonBody(got_all[0].body), "type"),
                                 GetStr(JsonBody(got_all[1].body), "type")};
  CHECK(types == std::set<std::string>{"bank_account.linked", "recipient.created"});
  CHECK(GetStr(JsonBody(got_rcp[0].body), "type") == "recipient.created");
}

TEST_CASE("a failing receiver is retried with growing waits until it answers 2xx") {
  ServerProcess server(HookServer("100"));
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  WebhookReceiver receiver;
  receiver.AnswerWith({500, 503, 204});
  Hook hook = RegisterHook(cli, ada, receiver.Url());
  LinkDnbAccount(cli, ada);

  auto got = receiver.WaitFor(3, 15s);
  REQUIRE(got.size() == 3);
  // Retry 1 after ~100 ms, retry 2 after ~500 ms (±20 %).
  auto gap1 = std::chrono::duration_cast<std::chrono::milliseconds>(got[1].at - got[0].at);
  auto gap2 = std::chrono::duration_cast<std::chrono::milliseconds>(got[2].at - got[1].at);
  CHECK(gap1 >= 80ms);
  CHECK(gap2 >= 400ms);
  CHECK(gap2 > gap1);
  // The same event and body each time, signed afresh.
  for (const auto& r : got) {
    CHECK(r.body == got[0].body);
    CHECK(r.Header("X-Webhook-Id") == got[0].Header("X-Webhook-Id"));
    CHECK(SignedBy(r, hook.secret));
  }
  auto d = AwaitHookDelivery(cli, ada, hook.id, "delivered", 3);
  auto tries = Get(d, "attempts").get<picojson::array>();
  CHECK(Get(tries[0].get<picojson::object>(), "statusCode").get<int64_t>() == 500);
  CHECK(GetStr(tries[0].get<picojson::object>(), "error") == "HTTP 500");
  CHECK(Get(tries[1].get<picojson::object>(), "statusCode").get<int64_t>() == 503);
  CHECK(Get(tries[2].get<picojson::object>(), "statusCode").get<int64_t>() == 204);
}

TEST_CASE("after five retries a delivery is failed and nothing more is sent") {
  ServerProcess server(HookServer("10"));  // waits of ~10, 50, 250, 1250, 6250 ms
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  WebhookReceiver receiver;
  receiver.AnswerWith({500});
  Hook hook = RegisterHook(cli, ada, receiver.Url());
  LinkDnbAccount(cli, ada);

  auto d = AwaitHookDelivery(cli, ada, hook.id, "failed", 6, 30s);
  CHECK(Get(d, "attempts").get<picojson::array>().size() == 6);
  CHECK(GetStr(d, "lastError") == "HTTP 500");
  CHECK(d.count("nextAttemptAt") == 0);
  std::this_thread::sleep_for(1s);
  CHECK(receiver.All().size() == 6);
}

TEST_CASE("a redirect is not followed: the try fails and the other address is never asked") {
  ServerProcess server(HookServer("60000"));
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  WebhookReceiver receiver;
  receiver.Redirect();
  Hook hook = RegisterHook(cli, ada, receiver.Url());
  LinkDnbAccount(cli, ada);

  auto d = AwaitHookDelivery(cli, ada, hook.id, "pending", 1);
  auto t = Get(d, "attempts").get<picojson::array>().front().get<picojson::object>();
  CHECK(Get(t, "statusCode").get<int64_t>() == 302);
  CHECK(GetStr(t, "error") == "redirect not followed (HTTP 302)");
  CHECK(IsIsoTime(GetStr(d, "nextAttemptAt")));
  std::this_thread::sleep_for(300ms);
  for (const auto& r : receiver.All()) CHECK(r.path == "/hook");
}

TEST_CASE("a receiver that hangs is cut off at the timeout and holds no other receiver up") {
  ServerProcess server(HookServer("60000", "1"));
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Account bob = RegisterAndLogin(cli, "bob@example.com");
  WebhookReceiver slow, fast;
  slow.Delay(30s);
  Hook slow_hook = RegisterHook(cli, ada, slow.Url());
  RegisterHook(cli, bob, fast.Url());

  // Ada's events first: the slow receiver's tries are in progress while
  // Bob's event comes.
  LinkDnbAccount(cli, ada, "1000");
  LinkDnbAccount(cli, ada, "2000");
  LinkDnbAccount(cli, ada, "3000");
  slow.WaitFor(2, 5s);
  auto started = std::chrono::steady_clock::now();
  LinkDnbAccount(cli, bob);
  REQUIRE(fast.WaitFor(1, 5s).size() == 1);
  CHECK(std::chrono::steady_clock::now() - started < 2s);
  // Requests are answered meanwhile.
  auto t0 = std::chrono::steady_clock::now();
  CHECK(cli.Get("/health")->status == 200);
  CHECK(std::chrono::steady_clock::now() - t0 < 500ms);

  auto d = AwaitHookDelivery(cli, ada, slow_hook.id, "pending", 1, 10s);
  auto t = Get(d, "attempts").get<picojson::array>().front().get<picojson::object>();
  CHECK(GetStr(t, "error") == "timed out after 1000 ms");
  CHECK(Get(t, "durationMs").get<int64_t>() >= 900);
  CHECK(Get(t, "durationMs").get<int64_t>() < 5000);
}

TEST_CASE("pending deliveries survive a restart and are delivered by the next process") {
  TempDir dir;
  std::string hook_id, secret;
  Account ada;
  auto opts = HookServer("200");
  opts.db_path = dir.File("cairn.db");
  {
    // The receiver is down: connection refused, retried.
    int dead_port;
    {
      WebhookReceiver gone;
      dead_port = gone.port();
    }
    ServerProcess server(opts);
    auto cli = server.Client();
    ada = RegisterAndLogin(cli, "ada@example.com");
    Hook hook = RegisterHook(cli, ada, "http://127.0.0.1:" + std::to_string(dead_port) + "/hook");
    hook_id = hook.id;
    LinkDnbAccount(cli, ada);
    auto d = AwaitHookDelivery(cli, ada, hook.id, "pending", 1);
    CHECK(GetStr(Get(d, "attempts").get<picojson::array>()[0].get<picojson::object>(), "error") ==
          "connection failed");
    CHECK(server.Stop() == 0);
  }
  // Point the endpoint at a live receiver, as its owner would by fixing DNS,
  // then start again on the same database.
  WebhookReceiver receiver;
  ServerProcess server(opts);
  WriteSql(server, "UPDATE webhooks SET url = '" + receiver.Url() + "' WHERE id = '" + hook_id +
                       "'");
  auto got = receiver.WaitFor(1, 20s);
  REQUIRE(got.size() == 1);
  CHECK(GetStr(JsonBody(got[0].body), "type") == "bank_account.linked");
  auto cli = server.Client();
  ada = Login(cli, "ada@example.com");
  auto d = AwaitHookDelivery(cli, ada, hook_id, "delivered", 2);
  CHECK(Get(d, "attempts").get<picojson::array>().size() >= 2);
}

TEST_CASE("deleting an endpoint fails its pending deliveries and nothing more is sent to it") {
  ServerProcess server(HookServer("60000"));
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  WebhookReceiver receiver;
  receiver.AnswerWith({500});
  Hook hook = RegisterHook(cli, ada, receiver.Url());
  LinkDnbAccount(cli, ada);
  AwaitHookDelivery(cli, ada, hook.id, "pending", 1);

  std::string path = std::string(kWebhooksPath) + "/" + hook.id;
  auto del = cli.Delete(path, Bearer(ada.access));
  REQUIRE(del);
  CHECK(del->status == 204);
  CHECK(del->body.empty());
  CHECK(cli.Get(path, Bearer(ada.access))->status == 404);
  CHECK(cli.Delete(path, Bearer(ada.access))->status == 404);
  CHECK(QueryText(server, "SELECT status || ':' || last_error FROM webhook_deliveries") ==
        "failed:webhook deleted");

  size_t sent = receiver.All().size();
  LinkDnbAccount(cli, ada, "2000");
  std::this_thread::sleep_for(800ms);
  CHECK(receiver.All().size() == sent);
  CHECK(QueryInt(server, "SELECT count(*) FROM webhook_deliveries") == 1);
}

TEST_CASE("a finished delivery can be sent again as a new delivery of the same event") {
  ServerProcess server(HookServer("60000"));
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  Account bob = RegisterAndLogin(cli, "bob@example.com");
  WebhookReceiver receiver;
  Hook hook = RegisterHook(cli, ada, receiver.Url());
  LinkDnbAccount(cli, ada);
  auto first = AwaitHookDelivery(cli, ada, hook.id, "delivered", 1);
  std::string redeliver = std::string(kWebhooksPath) + "/" + hook.id + "/deliveries/" +
                          GetStr(first, "id") + "/redeliver";

  // Not Bob's to redeliver; nothing is queued.
  std::string before = HookTablesWritten(server);
  CHECK(cli.Post(redeliver, Bearer(bob.access))->status == 404);
  CHECK(HookTablesWritten(server) == before);

  auto res = cli.Post(redeliver, Bearer(ada.access));
  auto again = DataOf(res, 202);
  CHECK(GetStr(again, "id") != GetStr(first, "id"));
  CHECK(GetStr(again, "eventId") == GetStr(first, "eventId"));
  CHECK(GetStr(again, "status") == "pending");
  auto got = receiver.WaitFor(2);
  REQUIRE(got.size() == 2);
  CHECK(got[1].body == got[0].body);
  CHECK(got[1].Header("webhook-id") == got[0].Header("webhook-id"));
  CHECK(SignedBy(got[1], hook.secret));
  AwaitHookDelivery(cli, ada, hook.id, "delivered", 1);
  CHECK(HookDeliveries(cli, ada, hook.id).size() == 2);

  // An unknown delivery is 404.
  std::string unknown =
      std::string(kWebhooksPath) + "/" + hook.id + "/deliveries/whd_0000000000000000/redeliver";
  CHECK(cli.Post(unknown, Bearer(ada.access))->status == 404);
}

TEST_CASE("a pending delivery cannot be redelivered: it will be tried anyway") {
  ServerProcess server(HookServer("60000"));
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  WebhookReceiver receiver;
  receiver.AnswerWith({500});
  Hook hook = RegisterHook(cli, ada, receiver.Url());
  LinkDnbAccount(cli, ada);
  auto d = AwaitHookDelivery(cli, ada, hook.id, "pending", 1);
  std::string before = HookTablesWritten(server);
  auto res = cli.Post(std::string(kWebhooksPath) + "/" + hook.id + "/deliveries/" +
                          GetStr(d, "id") + "/redeliver",
                      Bearer(ada.access));
  REQUIRE(res);
  CHECK(res->status == 409);
  CHECK(HookTablesWritten(server) == before);
}

TEST_CASE("an account holds at most ten webhook endpoints") {
  ServerProcess server(HookServer());
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  for (int i = 0; i < 10; ++i) {
    RegisterHook(cli, ada, "http://93.184.216.34/hook" + std::to_string(i));
  }
  std::string before = HookTablesWritten(server);
  auto res =
      PostJson(cli, kWebhooksPath, HookBody("http://93.184.216.34/eleven"), Bearer(ada.access));
  REQUIRE(res);
  CHECK(res->status == 409);
  CHECK(HookTablesWritten(server) == before);
}

TEST_CASE("webhook and delivery lists page by the shared rules and refuse bad paging") {
  ServerProcess server(HookServer());
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");
  WebhookReceiver receiver;
  Hook hook = RegisterHook(cli, ada, receiver.Url());
  RegisterHook(cli, ada, "http://93.184.216.34/second", R"(["transaction.failed"])");
  RegisterHook(cli, ada, "http://93.184.216.34/third", R"(["transaction.failed"])");
  LinkDnbAccount(cli, ada);
  auto res = PostJson(cli, "/api/v1/recipients",
                      R"({"name":"Mama","country":"RS","currency":"RSD","bankAccount":"RS35260005601001611379"})",
                      Bearer(ada.access));
  REQUIRE(res->status == 201);
  REQUIRE(receiver.WaitFor(2).size() == 2);
  std::string deliveries = std::string(kWebhooksPath) + "/" + hook.id + "/deliveries";

  // Oldest first by request; walking the cursor visits each once.
  for (const std::string& path : {std::string(kWebhooksPath), deliveries}) {
    CAPTURE(path);
    Page all = List(cli, ada, path + "?sort=createdAt&pageSize=100");
    REQUIRE(all.status == 200);
    std::vector<std::string> ids = Field(all, "id");
    REQUIRE(ids.size() >= 2);
    std::vector<std::string> walked;
    std::string cursor;
    for (int guard = 0; guard < 10; ++guard) {
      Page p = List(cli, ada,
                    path + "?sort=createdAt&pageSize=1" + (cursor.empty() ? "" : "&cursor=" + cursor));
      REQUIRE(p.status == 200);
      for (const std::string& id : Field(p, "id")) walked.push_back(id);
      picojson::value next = Pg(p, "nextCursor");
      if (next.is<picojson::null>()) break;
      cursor = next.get<std::string>();
    }
    CHECK(walked == ids);
    Page second = List(cli, ada, path + "?sort=createdAt&pageSize=1&page=2");
    REQUIRE(second.status == 200);
    CHECK(Field(second, "id") == std::vector<std::string>{ids[1]});
    CHECK(PgInt(second, "total") == static_cast<int64_t>(ids.size()));

    // Columns that are not sort fields, and out-of-range paging, are 400.
    for (const char* q : {"sort=url", "sort=secret", "sort=status", "sort=createdAt;DROP",
                          "pageSize=0", "pageSize=101", "page=0", "cursor=not-a-cursor"}) {
      CAPTURE(q);
      Page bad = List(cli, ada, path + "?" + q);
      CHECK(bad.status == 400);
      CHECK(bad.code == "bad_request");
    }
  }
}
