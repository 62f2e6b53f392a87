#include "events/streams.h"

namespace cairn::events {

EventStreams::EventStreams(Options options) : options_(options) {}

EventStreams::Ticket::~Ticket() { owner_->Release(user_id_); }

Result<std::unique_ptr<EventStreams::Ticket>> EventStreams::Open(const std::string& user_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return Status::Unavailable("The server is shutting down");
  if (open_ >= options_.max_clients) {
    return Status::Unavailable("Too many event streams are open; try again later");
  }
  PerUser& u = users_[user_id];
  if (u.open >= options_.max_per_user) {
    return Status::Unavailable("At most " + std::to_string(options_.max_per_user) +
                               " event streams per account are open at once");
  }
  ++u.open;
  ++open_;
  return std::unique_ptr<Ticket>(new Ticket(this, user_id, u.signals));
}

void EventStreams::Release(const std::string& user_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = users_.find(user_id);
  if (it != users_.end() && --it->second.open <= 0) users_.erase(it);
  --open_;
}

void EventStreams::Publish(const std::vector<std::string>& user_ids) {
  bool any = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const std::string& id : user_ids) {
      auto it = users_.find(id);
      if (it == users_.end()) continue;
      ++it->second.signals;
      any = true;
    }
  }
  if (any) changed_.notify_all();
}

EventStreams::Wake EventStreams::Wait(Ticket& ticket,
                                      std::chrono::steady_clock::time_point until) {
  std::unique_lock<std::mutex> lock(mu_);
  const PerUser& u = users_[ticket.user_id_];
  bool woke = changed_.wait_until(lock, until,
                                  [&] { return closed_ || u.signals != ticket.seen_; });
  if (closed_) return Wake::kClosed;
  if (!woke) return Wake::kTimeout;
  ticket.seen_ = u.signals;
  return Wake::kEvents;
}

void EventStreams::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  changed_.notify_all();
}

int EventStreams::open_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return open_;
}

}  // namespace cairn::events
