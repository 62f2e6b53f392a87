#include "events/webhook_delivery.h"

#include <cmath>

#include "events/webhook_signature.h"
#include "util/log.h"
#include "util/version.h"

namespace cairn::events {

namespace {

using std::chrono::milliseconds;

int64_t ElapsedMs(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - since)
      .count();
}

}  // namespace

milliseconds RetryDelay(const DeliveryOptions& o, int n, std::mt19937_64& rng) {
  double base = static_cast<double>(o.retry_base.count()) * std::pow(5.0, n - 1);
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  return milliseconds(static_cast<int64_t>(base * jitter(rng)));
}

WebhookDeliverer::WebhookDeliverer(store::Database& db, const Clock& clock, WebhookSender& sender,
                                   Resolver resolve, DeliveryOptions options)
    : db_(db),
      clock_(clock),
      sender_(sender),
      resolve_(std::move(resolve)),
      options_(options),
      rng_(std::random_device{}()) {
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { Work(); });
  coordinator_ = std::thread([this] { Coordinate(); });
}

WebhookDeliverer::~WebhookDeliverer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  coordinator_wake_.notify_all();
  // Tries in progress finish (each within the total timeout); queued ones
  // are let go untried.
  for (std::thread& t : workers_) t.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    workers_gone_ = true;
  }
  // The coordinator records what the workers finished, then leaves.
  coordinator_wake_.notify_all();
  coordinator_.join();
}

void WebhookDeliverer::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
  }
  coordinator_wake_.notify_all();
}

int64_t WebhookDeliverer::NowMs() const {
  return std::chrono::duration_cast<milliseconds>(clock_.Now().time_since_epoch()).count();
}

void WebhookDeliverer::Coordinate() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    coordinator_wake_.wait_for(lock, options_.poll, [this] {
      return workers_gone_ || woken_ || !finished_.empty();
    });
    bool last_pass = workers_gone_;
    woken_ = false;
    std::vector<Finished> done;
    done.swap(finished_);
    size_t room = stopping_ ? 0 : static_cast<size_t>(options_.workers - in_flight_total_);
    // The finished ones still count until recorded: Exchange records them
    // in the same transaction as the claim.
    std::map<std::string, int> in_flight = in_flight_;
    for (const Finished& f : done) --in_flight[f.webhook_id];
    if (!done.empty() || room > 0) {
      lock.unlock();
      Result<std::vector<store::ClaimedDelivery>> claimed = Exchange(done, room, in_flight);
      lock.lock();
      if (claimed.ok()) {
        for (const Finished& f : done) {
          if (--in_flight_[f.webhook_id] <= 0) in_flight_.erase(f.webhook_id);
          --in_flight_total_;
        }
        for (store::ClaimedDelivery& c : *claimed) {
          ++in_flight_[c.delivery.webhook_id];
          ++in_flight_total_;
          queue_.push_back(Job{std::move(c)});
        }
        if (!claimed->empty()) work_ready_.notify_all();
        // A full claim may have left more due: look again at once.
        if (room > 0 && claimed->size() == room) woken_ = true;
      } else {
        // The claims were rolled back; the results are kept for the next
        // pass. (On the last pass they are lost: those deliveries are taken
        // again after their hold and sent once more, which receivers see
        // as the same webhook-id.)
        log::Warn("webhook_queue_failed").Str("error", claimed.status().message()).Emit();
        finished_.insert(finished_.end(), done.begin(), done.end());
      }
    }
    if (last_pass) return;
  }
}

Result<std::vector<store::ClaimedDelivery>> WebhookDeliverer::Exchange(
    const std::vector<Finished>& done, size_t room, const std::map<std::string, int>& in_flight) {
  auto lease = db_.Acquire();
  if (!lease.ok()) return lease.status();
  SQLite::Database& conn = **lease;
  int64_t now_ms = NowMs();
  if (done.empty()) {
    // Most passes find nothing due: look before taking the write lock.
    Result<bool> due = store::HasDueDeliveries(conn, now_ms);
    if (!due.ok()) return due.status();
    if (!*due) return std::vector<store::ClaimedDelivery>{};
  }
  try {
    store::WriteTransaction tx(conn);
    for (const Finished& f : done) {
      Status s = store::RecordAttempt(conn, f.attempt, f.status, f.next_attempt_ms, now_ms / 1000);
      if (!s.ok()) return s;
    }
    std::vector<store::ClaimedDelivery> claimed;
    if (room > 0) {
      // Held until the try must have ended, with a margin for recording it.
      int64_t hold_until = now_ms + options_.total_timeout.count() + 60'000;
      Result<std::vector<store::ClaimedDelivery>> c =
          store::ClaimDueDeliveries(conn, now_ms, hold_until, room, in_flight,
                                    options_.per_webhook);
      if (!c.ok()) return c.status();
      claimed = std::move(c.value());
    }
    tx.Commit();
    for (const Finished& f : done) {
      std::atomic<uint64_t>& n = f.status == "delivered" ? tries_delivered_
                                 : f.status == "failed"  ? tries_failed_
                                                         : tries_retrying_;
      n.fetch_add(1, std::memory_order_relaxed);
    }
    return claimed;
  } catch (const std::exception& e) {
    return store::FromSqliteError(e, "webhook queue");
  }
}

void WebhookDeliverer::Work() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    work_ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    if (stopping_) {
      // Not started: give it back untried; its hold expires and it is
      // taken again after the restart.
      Job job = std::move(queue_.front());
      queue_.pop_front();
      if (--in_flight_[job.claimed.delivery.webhook_id] <= 0) {
        in_flight_.erase(job.claimed.delivery.webhook_id);
      }
      --in_flight_total_;
      continue;
    }
    Job job = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    Finished f = Attempt(job.claimed);
    lock.lock();
    finished_.push_back(std::move(f));
    coordinator_wake_.notify_all();
  }
}

WebhookDeliverer::Stats WebhookDeliverer::stats() const {
  Stats s;
  s.delivered = tries_delivered_.load(std::memory_order_relaxed);
  s.retrying = tries_retrying_.load(std::memory_order_relaxed);
  s.failed = tries_failed_.load(std::memory_order_relaxed);
  return s;
}

WebhookDeliverer::Finished WebhookDeliverer::Attempt(const store::ClaimedDelivery& c) {
  const store::DeliveryRow& d = c.delivery;
  Finished f;
  f.webhook_id = d.webhook_id;
  f.attempt.delivery_id = d.id;
  f.attempt.attempt = d.attempts + 1;
  f.attempt.started_at_ms = NowMs();
  auto started = std::chrono::steady_clock::now();

  if (UnixSeconds(clock_.Now()) - d.created_at >= options_.give_up.count()) {
    f.attempt.error = "expired: not delivered within " +
                      std::to_string(options_.give_up.count() / 3600) + " hours";
    f.status = "failed";
    return f;
  }

  SendOutcome outcome;
  Result<WebhookUrl> url = ParseWebhookUrl(c.url);
  Result<IpAddress> address =
      url.ok() ? ResolveWebhookTarget(*url, resolve_, options_.allow_private) : url.status();
  if (!address.ok()) {
    outcome.error = "refused: " + (address.status().details().empty()
                                       ? address.status().message()
                                       : address.status().details().front().message);
  } else {
    OutgoingRequest req;
    req.url = *url;
    req.address = *address;
    req.headers = SignatureHeaders(c.secret, d.event_id, UnixSeconds(clock_.Now()), d.payload);
    req.headers.emplace_back("User-Agent", std::string("Cairn-Webhooks/") + kVersion);
    req.body = d.payload;
    req.connect_timeout = options_.connect_timeout;
    req.total_timeout = options_.total_timeout;
    outcome = sender_.Send(req);
  }
  f.attempt.duration_ms = ElapsedMs(started);
  f.attempt.status = outcome.status;
  if (outcome.status >= 200 && outcome.status < 300) {
    f.status = "delivered";
  } else {
    f.attempt.error = !outcome.error.empty() ? outcome.error
                      : outcome.status >= 300 && outcome.status < 400
                          ? "redirect not followed (HTTP " + std::to_string(outcome.status) + ")"
                          : "HTTP " + std::to_string(outcome.status);
    int retry = static_cast<int>(f.attempt.attempt);  // the retry that would come next
    if (retry > options_.max_retries) {
      f.status = "failed";
    } else {
      milliseconds wait;
      {
        std::lock_guard<std::mutex> lock(mu_);
        wait = RetryDelay(options_, retry, rng_);
      }
      f.status = "pending";
      f.next_attempt_ms = NowMs() + wait.count();
    }
  }
  log::Info("webhook_attempt")
      .Str("delivery", d.id)
      .Str("webhook", d.webhook_id)
      .Int("attempt", f.attempt.attempt)
      .Int("status", outcome.status)
      .Int("durationMs", f.attempt.duration_ms)
      .Str("outcome", f.status)
      .Emit();
  return f;
}

}  // namespace cairn::events
