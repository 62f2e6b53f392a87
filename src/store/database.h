#pragma once

// The SQLite file and the connections to it.
//
// Every connection is opened the same way: WAL journal, foreign keys on, a
// busy timeout, and synchronous FULL unless the operator chose NORMAL. A
// Database owns a small fixed pool; a thread borrows one connection at a time
// through a Lease and never shares it, so no connection is used by two
// threads at once. SQLite's own locking (WAL: many readers, one writer)
// coordinates the pool's connections.
//
// Writes that read then modify must run in WriteTransaction (BEGIN IMMEDIATE),
// which takes the write lock up front so two such writers cannot both read the
// old value.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "util/status.h"

struct sqlite3;

namespace cairn::store {

struct DatabaseOptions {
  std::string path = "./cairn.db";
  bool synchronous_full = true;
  int busy_timeout_ms = 5000;
  int pool_size = 4;
};

// Opens one configured connection (creating the file if needed).
// Unavailable if the file cannot be opened or is not a database.
Result<std::unique_ptr<SQLite::Database>> OpenConnection(const DatabaseOptions& opts);

class Database {
 public:
  // A connection on loan; returns it to the pool when destroyed.
  class Lease {
   public:
    Lease(Database* owner, std::unique_ptr<SQLite::Database> conn)
        : owner_(owner), conn_(std::move(conn)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease();
    SQLite::Database& operator*() { return *conn_; }
    SQLite::Database* operator->() { return conn_.get(); }

   private:
    Database* owner_;
    std::unique_ptr<SQLite::Database> conn_;
  };

  // Opens the pool's connections. The schema is not touched here; run the
  // migrations first (store/migrations.h).
  static Result<std::unique_ptr<Database>> Open(const DatabaseOptions& opts);

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Borrows a connection, waiting up to `wait` for one to come back.
  // Unavailable when none does. Thread-safe.
  Result<Lease> Acquire(std::chrono::milliseconds wait = std::chrono::milliseconds(2000));

  const DatabaseOptions& options() const { return opts_; }

  // Called after each commit of a WriteTransaction that wrote an outbox
  // event (store/events.h), on the committing thread, so the dispatcher can
  // look at once instead of at its next pass. Empty (the default) calls
  // nothing. Thread-safe; the listener must be quick and must outlive its
  // use (set it empty before what it calls goes away).
  void SetEventListener(std::function<void()> on_events_committed);

  // Contention for the writer lock since the pool opened (GET /metrics).
  struct WriterStats {
    uint64_t waits = 0;        // transactions that found the lock taken
    int64_t wait_micros = 0;   // the time they waited, in all
    uint64_t timeouts = 0;     // waits that ran out (answered 503)
  };
  WriterStats writer_stats() const;

  // The database file's size and its WAL's, in bytes (0 when absent).
  struct FileSizes {
    int64_t database = 0;
    int64_t wal = 0;
  };
  FileSizes file_sizes() const;

 private:
  friend class WriteTransaction;
  explicit Database(DatabaseOptions opts) : opts_(std::move(opts)) {}
  void Return(std::unique_ptr<SQLite::Database> conn);
  void EventsCommitted();

  const DatabaseOptions opts_;
  std::mutex mu_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<SQLite::Database>> idle_;  // guarded by mu_
  std::vector<sqlite3*> handles_;  // every connection's, for their statement caches
  // Held by a WriteTransaction on any of the pool's connections.
  std::timed_mutex writer_;
  std::atomic<uint64_t> writer_waits_{0};
  std::atomic<int64_t> writer_wait_micros_{0};
  std::atomic<uint64_t> writer_timeouts_{0};
  std::mutex listener_mu_;
  std::function<void()> on_events_committed_;  // guarded by listener_mu_
};

// Notes that an outbox event was written in the transaction open on db, for
// the event listener; a no-op outside a pool. For store/events.cpp.
void NoteEventWritten(SQLite::Database& db);

// Readiness: borrows a connection (waiting at most `wait`) and reads the
// instance row. Returns the round trip in milliseconds, or Unavailable.
Result<double> Ping(Database& db, std::chrono::milliseconds wait);

// A prepared statement for one use, taken from its connection's cache.
//
// Compiling SQL costs more than running a short query, so every connection
// of a Database pool keeps the statements it has compiled, keyed by their
// text, until the pool closes (up to 512 texts; past that a new text is
// compiled for each use). A Query borrows one, and on destruction resets it and clears
// its bindings for the next user. A connection is used by one thread at a
// time (the pool's lease), so the cache needs no lock. A statement already
// borrowed (the same SQL nested on one connection), or a connection outside
// a pool (commands, migrations, tests), gets a fresh statement instead.
class Query {
 public:
  Query(SQLite::Database& db, const std::string& sql);
  ~Query();
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  SQLite::Statement& operator*() { return *stmt_; }
  SQLite::Statement* operator->() { return stmt_; }

 private:
  std::unique_ptr<SQLite::Statement> owned_;  // when not from a cache
  SQLite::Statement* stmt_ = nullptr;
  bool* in_use_ = nullptr;  // the cache entry's flag, when borrowed
};

// BEGIN IMMEDIATE ... COMMIT; rolls back on destruction unless committed.
//
// On a pooled connection it first takes its pool's writer lock (waiting at
// most the busy timeout, then throwing SQLITE_BUSY), so the process's own
// writers queue on a mutex and follow each other at once. Without it they
// would meet at SQLite's file lock, whose busy handler sleeps (1, 2, 5, 10
// ms ...) between tries: under load a payment could sleep while the lock sat
// free. Other processes still meet at SQLite's lock. A thread must not open
// a second WriteTransaction while it holds one.
class WriteTransaction {
 public:
  explicit WriteTransaction(SQLite::Database& db);
  ~WriteTransaction();
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  // Commits; then, if an event was written, tells the pool's listener.
  void Commit();

 private:
  static std::unique_lock<std::timed_mutex> LockWriter(SQLite::Database& db);

  SQLite::Database& db_;
  bool committed_ = false;
  std::unique_lock<std::timed_mutex> writer_;  // before tx_: released after it ends
  SQLite::Transaction tx_;
};

// Binds value, or NULL when it is empty (text) or 0 (times), the way
// optional columns are stored.
void BindOrNull(SQLite::Statement& q, int index, const std::string& value);
void BindOrNull(SQLite::Statement& q, int index, int64_t value);

// Maps an exception from SQLiteCpp to a Status and logs its cause (the
// message may hold SQL or paths, so it never reaches a client).
Status FromSqliteError(const std::exception& e, const char* what);

}  // namespace cairn::store
