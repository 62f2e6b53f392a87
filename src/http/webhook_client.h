#pragma once

// The webhook sender over cpp-httplib's clients (events::WebhookSender): one
// connection per try, to the checked address only (the URL's host is used
// for the Host header, never looked up again), no redirects followed, and
// the answer's body read at most 64 KiB and dropped.
//
// https URLs are sent over TLS 1.2 or later (OpenSSL), and the handshake
// fails unless the certificate verifies: its chain must end at a CA of the
// bundle ca_file, and it must name the URL's host among its alt names (a
// DNS name, wildcards only as a whole left-most label, the subject CN
// never; an IP literal host must be an IP address entry). The host name,
// not the address connected to, is what is verified and sent as SNI (none
// for an IP literal). The bundle is read once, at the first https try that
// finds it readable, and shared by all later tries; until then every https
// try fails with "no CA bundle at <path> (...)" and http tries go on.
//
// httplib bounds each read and write, not a whole exchange, so a receiver
// that trickles its answer (or its side of the TLS handshake) could hold a
// try for ever; a watchdog thread shuts down the socket of any try past its
// total timeout.
//
// Thread-safe.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "events/webhook_delivery.h"

namespace cairn::http {

class HttpWebhookSender final : public events::WebhookSender {
 public:
  // ca_file: the PEM bundle of CAs that https receivers' certificates must
  // chain to (WEBHOOK_CA_FILE). Logs a warning when it cannot be read now.
  explicit HttpWebhookSender(std::string ca_file);
  ~HttpWebhookSender() override;
  HttpWebhookSender(const HttpWebhookSender&) = delete;
  HttpWebhookSender& operator=(const HttpWebhookSender&) = delete;

  events::SendOutcome Send(const events::OutgoingRequest& request) override;

 private:
  struct Active {
    std::chrono::steady_clock::time_point deadline;
    // A duplicate of the try's socket, ours to close: shutting it down
    // needs none of httplib's locks (held through a whole TLS handshake),
    // and its number cannot be reused by another socket while we hold it.
    int fd = -1;
    bool cut = false;  // past the deadline; the socket was shut down
  };

  class CaBundle;

  void Watch();
  // Called by httplib with each socket it opens for the try `ticket`.
  void Track(uint64_t ticket, int sock);

  const std::unique_ptr<CaBundle> ca_;  // thread-safe itself
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;              // guarded by mu_
  uint64_t next_ticket_ = 0;           // guarded by mu_
  std::map<uint64_t, Active> active_;  // tries in progress; guarded by mu_
  std::thread watchdog_;               // last: starts once the members above exist
};

}  // namespace cairn::http
