#pragma once

// The dispatcher: reads outbox events in order (store/events.h) and hands
// each to every sink (notifications, webhook deliveries) in the transaction
// that marks it dispatched. A sink's writes and the mark commit together, so
// an event is handed on exactly once however often the process stops.
//
// Thread-safe: state is in the database. Sinks must outlive the dispatcher.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "store/database.h"
#include "store/events.h"
#include "util/clock.h"
#include "util/status.h"

namespace cairn::events {

// Something that acts on each event inside the dispatcher's transaction.
// An error rolls the whole batch back; the next pass tries it again.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual Status Accept(SQLite::Database& conn, const store::EventRow& e, int64_t now) = 0;
};

class Dispatcher {
 public:
  // after_commit, if set, runs with each batch once it is committed (it
  // wakes the webhook deliverer and the event streams).
  using AfterCommit = std::function<void(const std::vector<store::EventRow>&)>;
  Dispatcher(store::Database& db, const Clock& clock, std::vector<EventSink*> sinks,
             AfterCommit after_commit = nullptr);
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Dispatches up to `limit` pending events; returns how many.
  Result<int> DispatchPending(size_t limit);

  // Events dispatched since start, by type (GET /metrics): the domain's
  // record of what happened, so transaction.completed counts payments.
  std::map<std::string, uint64_t> Counts() const;

 private:
  store::Database& db_;
  const Clock& clock_;
  const std::vector<EventSink*> sinks_;
  const AfterCommit after_commit_;
  mutable std::mutex mu_;
  std::map<std::string, uint64_t> counts_;  // guarded by mu_
};

}  // namespace cairn::events
