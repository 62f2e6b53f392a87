#pragma once

// The webhook deliverer: takes pending deliveries from the database queue
// (store/webhooks.h), sends them on a small pool of threads, and records
// each try and its outcome (API.md §10).
//
// - A try succeeds on any 2xx answer. Anything else (another status, a
//   redirect, which is never followed, a refused target, a timeout) is
//   retried after retry_base × 5^(n-1), ±20 % jitter, for max_retries
//   retries (1 min, 5 min, 25 min, ~2 h, ~10 h by default), then the
//   delivery is failed. A delivery still pending give_up after it was made
//   (the server was down) is failed without another try.
// - Every try resolves the URL again and connects to the address it checked
//   (events/webhook_target.h): a DNS answer that changed to a private
//   address since registration is refused, and there is no second lookup.
// - A slow or dead receiver holds at most per_webhook of the pool's threads
//   (each for at most the total timeout); other receivers and HTTP
//   requests never wait for it. The queue lives in the database, so it is
//   bounded by disk, not memory, and survives restarts.
// - One coordinator thread writes to the database: each of its passes
//   records the tries that finished and takes new ones in one transaction,
//   so a burst of deliveries costs few commits.
//
// The destructor stops taking work and waits for tries in progress (each
// bounded by the total timeout); a try cut short by a crash is taken again
// after its hold expires.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "events/webhook_target.h"
#include "store/database.h"
#include "store/webhooks.h"
#include "util/clock.h"
#include "util/status.h"

namespace cairn::events {

// What a try sends and where.
struct OutgoingRequest {
  WebhookUrl url;
  IpAddress address;  // checked; the connection goes here and nowhere else
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // application/json
  std::chrono::milliseconds connect_timeout{0};
  std::chrono::milliseconds total_timeout{0};
};

struct SendOutcome {
  int status = 0;     // the answer's HTTP status; 0 when there was none
  std::string error;  // why there was no answer; empty when there was one
};

// Sends one request. The server's implementation is http/webhook_client.h;
// tests pass fakes. Must be thread-safe: the pool calls it concurrently.
class WebhookSender {
 public:
  virtual ~WebhookSender() = default;
  virtual SendOutcome Send(const OutgoingRequest& request) = 0;
};

struct DeliveryOptions {
  int workers = 4;
  int per_webhook = 2;
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds total_timeout{10000};
  std::chrono::milliseconds retry_base{60000};
  int max_retries = 5;
  std::chrono::seconds give_up{24 * 3600};
  // How often the queue is looked at when nothing wakes the deliverer
  // (retries falling due).
  std::chrono::milliseconds poll{1000};
  bool allow_private = false;
};

// The wait before retry n (1-based) with jitter drawn from rng: exposed for
// tests.
std::chrono::milliseconds RetryDelay(const DeliveryOptions& o, int n, std::mt19937_64& rng);

class WebhookDeliverer {
 public:
  WebhookDeliverer(store::Database& db, const Clock& clock, WebhookSender& sender,
                   Resolver resolve, DeliveryOptions options);
  ~WebhookDeliverer();
  WebhookDeliverer(const WebhookDeliverer&) = delete;
  WebhookDeliverer& operator=(const WebhookDeliverer&) = delete;

  // New deliveries may be due: look now rather than at the next poll.
  void Wake();

  // Tries recorded since start, by what they led to (GET /metrics).
  struct Stats {
    uint64_t delivered = 0;  // answered 2xx
    uint64_t retrying = 0;   // failed, another try scheduled
    uint64_t failed = 0;     // failed for good: retries spent, or expired
  };
  Stats stats() const;

 private:
  struct Job {
    store::ClaimedDelivery claimed;
  };
  struct Finished {
    store::AttemptRow attempt;
    std::string webhook_id;
    std::string status;           // pending | delivered | failed
    int64_t next_attempt_ms = 0;  // when pending
  };

  void Coordinate();
  void Work();
  Finished Attempt(const store::ClaimedDelivery& c);
  // One transaction: records `done` and claims up to `room` due
  // deliveries, minding the per-webhook cap given what is `in_flight`.
  Result<std::vector<store::ClaimedDelivery>> Exchange(const std::vector<Finished>& done,
                                                       size_t room,
                                                       const std::map<std::string, int>& in_flight);
  int64_t NowMs() const;

  store::Database& db_;
  const Clock& clock_;
  WebhookSender& sender_;
  const Resolver resolve_;
  const DeliveryOptions options_;

  std::mutex mu_;
  std::condition_variable coordinator_wake_;
  std::condition_variable work_ready_;
  bool stopping_ = false;                // guarded by mu_
  bool woken_ = false;                   // guarded by mu_
  bool workers_gone_ = false;            // guarded by mu_
  std::deque<Job> queue_;                // guarded by mu_
  std::vector<Finished> finished_;       // guarded by mu_
  std::map<std::string, int> in_flight_;  // per webhook, queued or sending; guarded by mu_
  int in_flight_total_ = 0;              // guarded by mu_
  std::mt19937_64 rng_;                  // guarded by mu_
  std::atomic<uint64_t> tries_delivered_{0};
  std::atomic<uint64_t> tries_retrying_{0};
  std::atomic<uint64_t> tries_failed_{0};

  std::vector<std::thread> workers_;  // last: they start once the members above exist
  std::thread coordinator_;
};

}  // namespace cairn::events
