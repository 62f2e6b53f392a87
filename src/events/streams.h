#pragma once

// Who is following the live event stream (GET /api/v1/events, API.md §9),
// and the signal that wakes them. A stream reads its user's events from the
// outbox itself (store::EventsAfter); this class only bounds how many
// streams are open and tells them when to look.
//
// Each open stream holds one HTTP worker thread, so their number is capped,
// in total and per user, below the worker count: streams can never take
// every worker. Close() ends every stream at shutdown.
//
// Thread-safe.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "util/status.h"

namespace cairn::events {

class EventStreams {
 public:
  struct Options {
    int max_clients = 32;  // SSE_MAX_CLIENTS
    int max_per_user = 5;  // SSE_MAX_PER_USER
  };
  explicit EventStreams(Options options);
  EventStreams(const EventStreams&) = delete;
  EventStreams& operator=(const EventStreams&) = delete;

  // One open stream's place; gives it back when destroyed.
  class Ticket {
   public:
    ~Ticket();
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;

   private:
    friend class EventStreams;
    Ticket(EventStreams* owner, std::string user_id, uint64_t seen)
        : owner_(owner), user_id_(std::move(user_id)), seen_(seen) {}
    EventStreams* owner_;
    const std::string user_id_;
    uint64_t seen_;  // the user's signal count last seen; guarded by owner_->mu_
  };

  // Unavailable when max_clients streams are open, or max_per_user of this
  // user's, or after Close().
  Result<std::unique_ptr<Ticket>> Open(const std::string& user_id);

  // New events were committed for these users.
  void Publish(const std::vector<std::string>& user_ids);

  enum class Wake { kEvents, kTimeout, kClosed };
  // Waits until the ticket's user has been published to since its last
  // wake (or since Open), until `until`, or until Close().
  Wake Wait(Ticket& ticket, std::chrono::steady_clock::time_point until);

  // Ends every stream; Open fails from now on.
  void Close();

  int open_count() const;

 private:
  struct PerUser {
    int open = 0;
    uint64_t signals = 0;
  };
  void Release(const std::string& user_id);

  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::map<std::string, PerUser> users_;  // users with open streams; guarded by mu_
  int open_ = 0;                          // guarded by mu_
  bool closed_ = false;                   // guarded by mu_
};

}  // namespace cairn::events
