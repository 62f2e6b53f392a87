#include "events/dispatcher.h"

namespace cairn::events {

Dispatcher::Dispatcher(store::Database& db, const Clock& clock, std::vector<EventSink*> sinks,
                       AfterCommit after_commit)
    : db_(db), clock_(clock), sinks_(std::move(sinks)), after_commit_(std::move(after_commit)) {}

std::map<std::string, uint64_t> Dispatcher::Counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_;
}

Result<int> Dispatcher::DispatchPending(size_t limit) {
  std::vector<store::EventRow> handed_on;
  {
    auto lease = db_.Acquire();
    if (!lease.ok()) return lease.status();
    SQLite::Database& conn = **lease;
    // Most passes find nothing: look without taking the write lock first.
    Result<std::vector<store::EventRow>> events = store::PendingEvents(conn, 1);
    if (!events.ok()) return events.status();
    if (events->empty()) return 0;
    int64_t now = UnixSeconds(clock_.Now());
    try {
      // The whole batch in one transaction, so it costs one commit (one
      // fsync) rather than one per event while payments wait for the same
      // lock. Read again inside it: an erasure may have deleted events since.
      store::WriteTransaction tx(conn);
      events = store::PendingEvents(conn, limit);
      if (!events.ok()) return events.status();
      for (store::EventRow& e : *events) {
        Result<bool> claimed = store::MarkEventDispatched(conn, e.seq, now);
        if (!claimed.ok()) return claimed.status();
        if (!*claimed) continue;
        for (EventSink* sink : sinks_) {
          if (Status s = sink->Accept(conn, e, now); !s.ok()) return s;
        }
        handed_on.push_back(std::move(e));
      }
      tx.Commit();
    } catch (const std::exception& ex) {
      return store::FromSqliteError(ex, "dispatch events");
    }
  }
  if (!handed_on.empty()) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const store::EventRow& e : handed_on) ++counts_[e.type];
  }
  if (!handed_on.empty() && after_commit_) after_commit_(handed_on);
  return static_cast<int>(handed_on.size());
}

}  // namespace cairn::events
