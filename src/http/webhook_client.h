#pragma once

// The webhook sender over cpp-httplib's client (events::WebhookSender): one
// connection per try, to the checked address only (the URL's host is used
// for the Host header, never looked up again), no redirects followed, and
// the answer's body read at most 64 KiB and dropped.
//
// httplib bounds each read and write, not a whole exchange, so a receiver
// that trickles its answer could hold a try for ever; a watchdog thread
// shuts down the socket of any try past its total timeout.
//
// Thread-safe.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>

#include "events/webhook_delivery.h"

namespace httplib {
class Client;
}

namespace cairn::http {

class HttpWebhookSender final : public events::WebhookSender {
 public:
  HttpWebhookSender();
  ~HttpWebhookSender() override;
  HttpWebhookSender(const HttpWebhookSender&) = delete;
  HttpWebhookSender& operator=(const HttpWebhookSender&) = delete;

  events::SendOutcome Send(const events::OutgoingRequest& request) override;

 private:
  void Watch();

  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  uint64_t next_ticket_ = 0;  // guarded by mu_
  struct Active {
    httplib::Client* client;
    std::chrono::steady_clock::time_point deadline;
  };
  std::map<uint64_t, Active> active_;  // tries in progress; guarded by mu_
  std::thread watchdog_;               // last: starts once the members above exist
};

}  // namespace cairn::http
