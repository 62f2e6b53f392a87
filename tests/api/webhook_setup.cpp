#include "webhook_setup.h"

#include <doctest/doctest.h>

#include <thread>

#include "domain_setup.h"

namespace cairn::test {

ServerProcess::Options HookServer(const std::string& retry_base_ms, const std::string& timeout_s) {
  ServerProcess::Options o;
  o.env["WEBHOOK_ALLOW_PRIVATE"] = "1";
  o.env["WEBHOOK_RETRY_BASE_MS"] = retry_base_ms;
  o.env["WEBHOOK_TIMEOUT_S"] = timeout_s;
  return o;
}

std::string HookBody(const std::string& url, const std::string& events) {
  return R"({"url":")" + url + R"(","events":)" + events + "}";
}

Hook RegisterHook(httplib::Client& cli, const Account& who, const std::string& url,
                  const std::string& events) {
  auto res = PostJson(cli, kWebhooksPath, HookBody(url, events), Bearer(who.access));
  auto data = DataOf(res, 201);
  return {GetStr(data, "id"), GetStr(data, "secret")};
}

picojson::array HookDeliveries(httplib::Client& cli, const Account& who, const std::string& hook) {
  auto res = cli.Get(std::string(kWebhooksPath) + "/" + hook + "/deliveries?pageSize=100",
                     Bearer(who.access));
  REQUIRE(res);
  REQUIRE(res->status == 200);
  return Get(JsonBody(res->body), "data").get<picojson::array>();
}

picojson::object AwaitHookDelivery(httplib::Client& cli, const Account& who,
                                   const std::string& hook, const std::string& status,
                                   size_t attempts, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  picojson::object last;
  while (std::chrono::steady_clock::now() < until) {
    picojson::array items = HookDeliveries(cli, who, hook);
    if (!items.empty()) {
      last = items.front().get<picojson::object>();
      if (GetStr(last, "status") == status &&
          Get(last, "attempts").get<picojson::array>().size() >= attempts) {
        return last;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL("delivery not " << status << " with " << attempts << " tries: "
                       << picojson::value(last).serialize());
  return last;
}

std::string HookTablesWritten(const ServerProcess& server) {
  return TableRows(server, "webhooks") + "#" + TableRows(server, "webhook_deliveries");
}

}  // namespace cairn::test
