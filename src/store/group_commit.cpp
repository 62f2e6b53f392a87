#include "store/group_commit.h"

#include <sqlite3.h>

#include <algorithm>
#include <optional>

namespace cairn::store {

struct GroupCommit::Writer {
  Writer(const char* w, const Work* fn) : what(w), work(fn) {}
  const char* what;
  const Work* work;
  Status status;
  bool done = false;
  std::condition_variable cv;
};

namespace {

// True while conn is inside a transaction. SQLite ends a transaction on its
// own after some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM): then the
// savepoints are gone and every write of the group with them.
bool InTransaction(SQLite::Database& conn) {
  return sqlite3_get_autocommit(conn.getHandle()) == 0;
}

}  // namespace

GroupCommit::GroupCommit(Database& db, int max_group)
    : db_(db), max_group_(std::max(1, max_group)) {}

Status GroupCommit::Run(const char* what, const Work& work) {
  Writer w(what, &work);
  std::unique_lock<std::mutex> lock(mu_);
  queue_.push_back(&w);
  while (!w.done && &w != queue_.front()) w.cv.wait(lock);
  if (w.done) return w.status;

  // At the front: commit a group for everyone queued so far. Those who
  // arrive meanwhile queue behind it and form the next group.
  size_t n = std::min(queue_.size(), static_cast<size_t>(max_group_));
  std::vector<Writer*> group(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(n));
  lock.unlock();
  CommitGroup(group);
  lock.lock();
  for (Writer* member : group) {
    queue_.pop_front();
    if (member != &w) {
      member->done = true;
      member->cv.notify_one();
    }
  }
  if (!queue_.empty()) queue_.front()->cv.notify_one();
  return w.status;
}

void GroupCommit::CommitGroup(const std::vector<Writer*>& group) {
  auto fail_all = [&](const Status& s) {
    for (Writer* member : group) member->status = s;
  };
  // A member that was refused keeps its own answer: nothing of it was
  // kept either way.
  auto fail_succeeded = [&](const Status& s) {
    for (Writer* member : group) {
      if (member->status.ok()) member->status = s;
    }
  };
  auto lease = db_.Acquire();
  if (!lease.ok()) return fail_all(lease.status());
  SQLite::Database& conn = **lease;
  std::optional<WriteTransaction> tx;
  try {
    tx.emplace(conn);
  } catch (const std::exception& e) {
    return fail_all(FromSqliteError(e, "begin group"));
  }

  for (Writer* member : group) {
    try {
      conn.exec("SAVEPOINT member");
      member->status = (*member->work)(conn);
      conn.exec(member->status.ok() ? "RELEASE member" : "ROLLBACK TO member; RELEASE member");
      continue;
    } catch (const std::exception& e) {
      member->status = FromSqliteError(e, member->what);
    }
    // A statement failed. Undo this member's writes and go on with the
    // rest, unless the failure took the whole transaction with it.
    try {
      if (InTransaction(conn)) conn.exec("ROLLBACK TO member; RELEASE member");
    } catch (const std::exception& e) {
      (void)FromSqliteError(e, "roll back group member");
    }
    if (!InTransaction(conn)) {
      // Members that succeeded lost their writes, and those not yet run
      // (status still Ok) are not run: all of them get this failure.
      return fail_succeeded(member->status);
    }
  }

  try {
    tx->Commit();
  } catch (const std::exception& e) {
    fail_succeeded(FromSqliteError(e, "commit group"));  // tx rolls back as it goes
  }
}

}  // namespace cairn::store
