#pragma once

// A webhook receiver for the API tests: an HTTP or HTTPS server on loopback
// in the test process that records every request it gets and answers as
// told (a status, after a delay), so a test can see what Cairn sent, when,
// and how often.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/httplib_config.h"
#include "test_certs.h"

namespace cairn::test {

class WebhookReceiver {
 public:
  struct Received {
    std::string path;
    httplib::Headers headers;
    std::string body;
    std::chrono::steady_clock::time_point at;
    std::string Header(const std::string& name) const;
  };

  // Listens for http on a free port of 127.0.0.1 at once.
  WebhookReceiver();
  // Listens for https on a free port of address (an IP literal) at once,
  // presenting identity's certificate.
  explicit WebhookReceiver(const TlsIdentity& identity, const std::string& address = "127.0.0.1");
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  int port() const { return port_; }
  // http(s)://<address>:<port><path>
  std::string Url(const std::string& path = "/hook") const;
  // The same with host in place of the address ("localhost").
  std::string UrlAt(const std::string& host, const std::string& path = "/hook") const;

  // The answers to give, in order; the last one repeats. Default: 200.
  void AnswerWith(std::vector<int> statuses);
  // Waits this long before answering (a slow receiver).
  void Delay(std::chrono::milliseconds d);
  // Answers 302 with a Location on this receiver's /elsewhere.
  void Redirect();

  // Waits until at least n requests have come (up to timeout); returns all
  // received so far.
  std::vector<Received> WaitFor(size_t n,
                                std::chrono::milliseconds timeout = std::chrono::seconds(10));
  std::vector<Received> All();
  // https: the server name (SNI) the client sent in each handshake so far,
  // "" for none.
  std::vector<std::string> ServerNames();

 private:
  void Start();
  static int OnServerName(SSL* ssl, int* alert, void* self);

  std::unique_ptr<httplib::Server> server_;
  const bool tls_;
  const std::string address_;
  int port_ = 0;
  std::mutex mu_;
  std::condition_variable arrived_;
  std::vector<Received> received_;  // guarded by mu_
  std::vector<int> statuses_{200};  // guarded by mu_
  size_t answered_ = 0;             // guarded by mu_
  std::chrono::milliseconds delay_{0};  // guarded by mu_
  bool redirect_ = false;               // guarded by mu_
  bool stopping_ = false;               // guarded by mu_
  std::vector<std::string> server_names_;  // guarded by mu_
  std::thread thread_;
};

// The six signature headers of docs/API.md §10 for a delivery, computed by
// the test itself (libsodium's HMAC): what a genuine delivery carries.
httplib::Headers SignedHeaders(const std::string& secret, const std::string& id, long long ts,
                               const std::string& body);
// Whether every signature header of r is what SignedHeaders gives.
bool SignedBy(const WebhookReceiver::Received& r, const std::string& secret);

}  // namespace cairn::test
