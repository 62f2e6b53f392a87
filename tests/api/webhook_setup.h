#pragma once

// Steps the webhook API tests share: a server allowed to deliver to the
// test's receivers on loopback, registering an endpoint, reading its
// deliveries, and waiting for one to reach a status.
//
// Each helper fails the calling test (REQUIRE) when a step that is not under
// test goes wrong.

#include <picojson.h>

#include <chrono>
#include <string>

#include "accounts.h"
#include "harness.h"
#include "http/httplib_config.h"

namespace cairn::test {

inline constexpr char kWebhooksPath[] = "/api/v1/webhooks";

// A server that may deliver to loopback (the test's receivers), retrying
// after retry_base_ms, 5 times that, and so on; each try takes at most
// timeout_s.
ServerProcess::Options HookServer(const std::string& retry_base_ms = "100",
                                  const std::string& timeout_s = "10");

// A registration body: url, and events as raw JSON.
std::string HookBody(const std::string& url, const std::string& events = R"(["*"])");

struct Hook {
  std::string id;
  std::string secret;
};

// Registers url for who (201 required).
Hook RegisterHook(httplib::Client& cli, const Account& who, const std::string& url,
                  const std::string& events = R"(["*"])");

// The deliveries of hook, newest first (200 required).
picojson::array HookDeliveries(httplib::Client& cli, const Account& who, const std::string& hook);

// Polls the deliveries of hook until the newest has `status` and at least
// `attempts` tries, or timeout (then fails the test); returns it.
picojson::object AwaitHookDelivery(httplib::Client& cli, const Account& who,
                                   const std::string& hook, const std::string& status,
                                   size_t attempts,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(20));

// The webhook tables, whole: to show a refused request wrote nothing.
std::string HookTablesWritten(const ServerProcess& server);

}  // namespace cairn::test
