// The example receiver of docs/webhooks.md (docs/examples/webhook-receiver.js)
// run against a real server: what the docs tell receivers to do must verify
// what Cairn really sends, and must refuse what it does not.

#include <doctest/doctest.h>

#include <chrono>
#include <ctime>
#include <string>
#include <thread>

#include "accounts.h"
#include "domain_setup.h"
#include "harness.h"
#include "webhook_receiver.h"

using namespace cairn::test;
using namespace std::chrono_literals;

namespace {

constexpr char kExample[] = "docs/examples/webhook-receiver.js";

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("the documented example receiver verifies real deliveries and acts on each event once") {
  ServerProcess::Options opts;
  opts.env["WEBHOOK_ALLOW_PRIVATE"] = "1";
  opts.env["WEBHOOK_RETRY_BASE_MS"] = "200";
  ServerProcess server(opts);
  auto cli = server.Client();
  Account ada = RegisterAndLogin(cli, "ada@example.com");

  int port = FreePort();
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/webhook";
  auto reg = PostJson(cli, "/api/v1/webhooks", R"({"url":")" + url + R"(","events":["*"]})",
                      Bearer(ada.access));
  auto hook = DataOf(reg, 201);
  std::string secret = GetStr(hook, "secret");
  NodeProcess receiver({kExample, std::to_string(port)}, {{"WEBHOOK_SECRET", secret}});
  REQUIRE_MESSAGE(receiver.WaitForOutput("listening"), receiver.Stderr());

  std::string account = LinkDnbAccount(cli, ada);
  REQUIRE_MESSAGE(receiver.WaitForOutput(R"("type":"bank_account.linked")", 15s),
                  receiver.Stderr());
  CHECK(receiver.Stdout().find(R"({"verified":"evt_)") == 0);

  // A redelivery is the same event: verified, answered 204, not acted on
  // twice.
  std::string hooks = "/api/v1/webhooks/" + GetStr(hook, "id");
  std::string first;
  for (int i = 0; i < 100 && first.empty(); ++i) {
    auto list = cli.Get(hooks + "/deliveries", Bearer(ada.access));
    auto items = Get(JsonBody(list->body), "data").get<picojson::array>();
    if (!items.empty() && GetStr(items[0].get<picojson::object>(), "status") == "delivered") {
      first = GetStr(items[0].get<picojson::object>(), "id");
    }
    if (first.empty()) std::this_thread::sleep_for(50ms);
  }
  REQUIRE(!first.empty());
  auto again = cli.Post(hooks + "/deliveries/" + first + "/redeliver", Bearer(ada.access));
  REQUIRE(again->status == 202);
  std::string redelivery = GetStr(JsonBody(again->body), "data.id");
  std::string status;
  for (int i = 0; i < 200 && status != "delivered"; ++i) {
    auto list = cli.Get(hooks + "/deliveries", Bearer(ada.access));
    picojson::array items = Get(JsonBody(list->body), "data").get<picojson::array>();
    for (const auto& item : items) {
      if (GetStr(item.get<picojson::object>(), "id") == redelivery) {
        status = GetStr(item.get<picojson::object>(), "status");
      }
    }
    if (status != "delivered") std::this_thread::sleep_for(50ms);
  }
  CHECK(status == "delivered");
  CHECK(Count(receiver.Stdout(), "\"verified\"") == 1);
}

TEST_CASE("the documented example receiver refuses forged, altered and stale deliveries") {
  int port = FreePort();
  const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  NodeProcess receiver({kExample, std::to_string(port)}, {{"WEBHOOK_SECRET", secret}});
  REQUIRE_MESSAGE(receiver.WaitForOutput("listening"), receiver.Stderr());
  httplib::Client cli("127.0.0.1", port);

  const std::string id = "evt_0123456789abcdef";
  const std::string body = R"({"data":{},"id":")" + id +
                           R"(","timestamp":"2026-11-26T10:30:00Z","type":"recipient.created","version":"1"})";
  long long now = static_cast<long long>(std::time(nullptr));
  auto post = [&](const httplib::Headers& h, const std::string& b) {
    auto res = cli.Post("/webhook", h, b, "application/json");
    REQUIRE(res);
    return res->status;
  };

  CHECK(post({}, body) == 400);                                               // unsigned
  CHECK(post(SignedHeaders("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", id, now, body),
             body) == 400);                                                   // another secret
  CHECK(post(SignedHeaders(secret, id, now, body), body + " ") == 400);      // altered body
  CHECK(post(SignedHeaders(secret, id, now - 3600, body), body) == 400);     // an hour old
  // Cairn's signature right but the Standard Webhooks one wrong: refused too.
  httplib::Headers half = SignedHeaders(secret, id, now, body);
  half.erase("webhook-signature");
  half.emplace("webhook-signature", "v1,AAAA");
  CHECK(post(half, body) == 400);
  CHECK(receiver.Stdout().empty());

  // The genuine one is taken.
  CHECK(post(SignedHeaders(secret, id, now, body), body) == 204);
  CHECK(receiver.WaitForOutput(R"({"verified":"evt_0123456789abcdef","type":"recipient.created"})"));
}
