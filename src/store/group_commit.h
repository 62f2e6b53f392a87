#pragma once

// Group commit: short write transactions from many threads committed
// together.
//
// Under synchronous=FULL every SQLite commit waits for the disk (one fsync of
// the WAL), and SQLite lets one writer in at a time, so writers that each
// commit on their own are bounded by the disk's fsync rate however many
// threads serve requests. GroupCommit queues the writers that arrive while a
// commit is under way and runs the next group of them in one BEGIN IMMEDIATE
// transaction, each inside its own SAVEPOINT, then commits once: the group
// shares one fsync. It is the write path of LevelDB's DBImpl::Write: the
// writer at the front of the queue does the work for those behind it.
//
// Each piece of work still sees a database in which every earlier piece has
// happened (they run one after another on one connection), and a piece that
// fails leaves nothing behind: its savepoint is rolled back and the others
// are unaffected. Run returns only once the group's commit is durable, so an
// answer built on it never reports a write the disk does not hold.
//
// Work must only touch the database through the connection it is given, and
// be short: the group waits for each piece in turn. It must not open a
// transaction on that connection, nor call Run (it would wait for itself).

#include <SQLiteCpp/Database.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "store/database.h"
#include "util/status.h"

namespace cairn::store {

class GroupCommit {
 public:
  // A piece of work; its status decides whether what it wrote is kept.
  // An exception it throws counts as a failed status (FromSqliteError).
  using Work = std::function<Status(SQLite::Database&)>;

  // At most max_group pieces go into one transaction, so one commit's wait
  // is bounded however long the queue grows.
  explicit GroupCommit(Database& db, int max_group = 64);
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Runs `work` in a transaction shared with the writers queued beside it
  // and returns once that transaction has committed. Returns work's status
  // when it is not Ok (nothing it wrote is kept); the failure of the group
  // when the transaction could not be begun or committed, or was lost to an
  // I/O error (nothing of the group is kept); Ok when what it wrote is
  // committed. `what` names the work in logged errors. Thread-safe.
  Status Run(const char* what, const Work& work);

 private:
  struct Writer;
  // Runs the group in one transaction; sets each writer's status.
  void CommitGroup(const std::vector<Writer*>& group);

  Database& db_;
  const int max_group_;
  std::mutex mu_;
  std::deque<Writer*> queue_;  // guarded by mu_; the front one is committing
};

}  // namespace cairn::store
