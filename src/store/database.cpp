#include "store/database.h"

#include <sys/stat.h>

#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

#include <shared_mutex>
#include <thread>
#include <unordered_map>
#include <utility>

#include "util/log.h"

namespace cairn::store {

namespace {

// journal_mode returns the mode now in force: a read-only medium or an odd VFS
// can refuse WAL, and we must not run without it silently. Switching a new
// file takes an exclusive lock that SQLite's busy handler does not wait for,
// so two processes creating the same database retry here, within the busy
// timeout.
std::string SwitchToWal(SQLite::Database& db, int busy_timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_ms);
  for (;;) {
    try {
      return db.execAndGet("PRAGMA journal_mode=WAL").getString();
    } catch (const SQLite::Exception& e) {
      bool busy = (e.getErrorCode() & 0xff) == SQLITE_BUSY;
      if (!busy || std::chrono::steady_clock::now() >= deadline) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
}

// SQLite keeps a statement journal (the pages a SAVEPOINT may have to roll
// back to) in memory only up to 64 KiB, then spills it to a temporary file.
// A group commit (store/group_commit.h) runs each member in a savepoint, and
// a payment modifies about 24 pages: spilled, that journal cost two pwrite
// calls per page. Measured under QR payment load: 48 of the 115 pwrite calls
// per payment went to it. 16 MiB in memory holds a group of 64 payments with
// room to spare and still bounds what one transaction can take.
constexpr int kStatementJournalSpillBytes = 16 << 20;

// Process-wide settings that SQLite takes only before its first connection.
// Every connection Cairn opens comes through OpenConnection, so this runs
// first; if something opened one before (a test's own :memory: handle), the
// call is refused and SQLite's defaults stay, which is logged.
void ConfigureLibraryOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    int rc = sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, kStatementJournalSpillBytes);
    if (rc != SQLITE_OK) {
      log::Warn("sqlite_config_refused").Str("setting", "SQLITE_CONFIG_STMTJRNL_SPILL").Emit();
    }
  });
}

}  // namespace

namespace {

// Statements kept per connection at most. The fixed queries of the store
// number about two hundred; list queries, one per combination of filters and
// sort in use, fill the rest.
constexpr size_t kMaxCachedStatements = 512;

struct CachedStatement {
  std::unique_ptr<SQLite::Statement> stmt;
  bool in_use = false;
};
using StatementCache = std::unordered_map<std::string, CachedStatement>;

// What a pooled connection carries beyond SQLite's own state: its statement
// cache and its pool's writer lock.
struct PooledState {
  StatementCache cache;
  std::timed_mutex* writer = nullptr;
  int busy_timeout_ms = 0;
  Database* owner = nullptr;
  // An event was written in the open transaction (NoteEventWritten).
  bool events_written = false;
};

// The state of pooled connections, by handle. SQLite::Database has nowhere
// to hang it, so a registry finds it; written only when a pool opens or
// closes.
std::shared_mutex g_pooled_mu;
std::unordered_map<sqlite3*, std::unique_ptr<PooledState>> g_pooled;  // guarded by g_pooled_mu

PooledState* StateOf(SQLite::Database& db) {
  std::shared_lock<std::shared_mutex> lock(g_pooled_mu);
  auto it = g_pooled.find(db.getHandle());
  return it == g_pooled.end() ? nullptr : it->second.get();
}

}  // namespace

Query::Query(SQLite::Database& db, const std::string& sql) {
  // The cache is this connection's alone, and the connection is this
  // thread's while it holds the lease: no lock past the lookup.
  PooledState* state = StateOf(db);
  // Lists build their SQL from the filters and sort a client picks: a full
  // cache stops taking new texts rather than grow with what clients send.
  if (state != nullptr &&
      (state->cache.size() < kMaxCachedStatements || state->cache.count(sql) != 0)) {
    CachedStatement& e = state->cache[sql];
    if (!e.in_use) {
      if (!e.stmt) e.stmt = std::make_unique<SQLite::Statement>(db, sql);
      e.in_use = true;
      in_use_ = &e.in_use;
      stmt_ = e.stmt.get();
      return;
    }
  }
  owned_ = std::make_unique<SQLite::Statement>(db, sql);
  stmt_ = owned_.get();
}

Query::~Query() {
  if (in_use_ == nullptr) return;
  // tryReset reports the last step's error again, if any; the statement is
  // reset all the same and stays usable.
  (void)stmt_->tryReset();
  try {
    stmt_->clearBindings();
  } catch (const std::exception&) {
    // Cannot fail on a reset statement; a next user rebinds every parameter.
  }
  *in_use_ = false;
}

Result<std::unique_ptr<SQLite::Database>> OpenConnection(const DatabaseOptions& opts) {
  ConfigureLibraryOnce();
  try {
    auto db = std::make_unique<SQLite::Database>(
        opts.path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX,
        opts.busy_timeout_ms);
    std::string mode = SwitchToWal(*db, opts.busy_timeout_ms);
    if (opts.path != ":memory:" && mode != "wal") {
      return Status::Unavailable("the database could not be put in WAL mode (mode is " + mode +
                                 ")");
    }
    db->exec("PRAGMA foreign_keys=ON");
    // Copy the WAL back into the file every 10,000 pages (about 40 MB), not
    // SQLite's 1,000: a page rewritten by many commits in between is copied
    // once, and checkpoints (each with its own fsync under FULL) run a tenth
    // as often. Measured: about a quarter more payments per second.
    db->exec("PRAGMA wal_autocheckpoint=10000");
    db->exec(opts.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    // Reading the schema fails here, not at first use, if the file is not a
    // SQLite database.
    db->execAndGet("SELECT count(*) FROM sqlite_master");
    return db;
  } catch (const std::exception& e) {
    log::Error("database_open_failed").Str("path", opts.path).Str("cause", e.what()).Emit();
    return Status::Unavailable("cannot open the database " + opts.path + ": " + e.what());
  }
}

Result<std::unique_ptr<Database>> Database::Open(const DatabaseOptions& opts) {
  std::unique_ptr<Database> db(new Database(opts));
  for (int i = 0; i < opts.pool_size; ++i) {
    auto conn = OpenConnection(opts);
    if (!conn.ok()) return conn.status();
    {
      std::unique_lock<std::shared_mutex> lock(g_pooled_mu);
      auto state = std::make_unique<PooledState>();
      state->writer = &db->writer_;
      state->busy_timeout_ms = opts.busy_timeout_ms;
      state->owner = db.get();
      g_pooled[conn.value()->getHandle()] = std::move(state);
    }
    db->handles_.push_back(conn.value()->getHandle());
    db->idle_.push_back(std::move(conn.value()));
  }
  return db;
}

Database::~Database() {
  {
    // Statements first: a connection with unfinalized ones cannot close.
    std::unique_lock<std::shared_mutex> lock(g_pooled_mu);
    for (sqlite3* h : handles_) g_pooled.erase(h);
  }
  std::lock_guard<std::mutex> lock(mu_);
  // Closing the last connection checkpoints the WAL into the main file.
  idle_.clear();
}

Result<Database::Lease> Database::Acquire(std::chrono::milliseconds wait) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!returned_.wait_for(lock, wait, [this] { return !idle_.empty(); })) {
    return Status::Unavailable("no database connection became free in time");
  }
  std::unique_ptr<SQLite::Database> conn = std::move(idle_.back());
  idle_.pop_back();
  return Lease(this, std::move(conn));
}

void Database::Return(std::unique_ptr<SQLite::Database> conn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    idle_.push_back(std::move(conn));
  }
  returned_.notify_one();
}

Database::Lease::~Lease() {
  if (owner_ != nullptr && conn_ != nullptr) owner_->Return(std::move(conn_));
}

Result<double> Ping(Database& db, std::chrono::milliseconds wait) {
  auto start = std::chrono::steady_clock::now();
  auto lease = db.Acquire(wait);
  if (!lease.ok()) return lease.status();
  SQLite::Database& conn = *lease.value();
  try {
    // Readiness must answer within `wait`, not the writers' busy timeout.
    conn.setBusyTimeout(static_cast<int>(wait.count()));
    // A real table, not "SELECT 1": it fails if the file is locked
    // exclusively by another process or its schema cannot be read.
    Query q(conn, "SELECT count(*) FROM instance");
    q->executeStep();
    conn.setBusyTimeout(db.options().busy_timeout_ms);
  } catch (const std::exception& e) {
    conn.setBusyTimeout(db.options().busy_timeout_ms);
    log::Warn("database_ping_failed").Str("cause", e.what()).Emit();
    return Status::Unavailable("the database is not answering");
  }
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

void Database::SetEventListener(std::function<void()> on_events_committed) {
  std::lock_guard<std::mutex> lock(listener_mu_);
  on_events_committed_ = std::move(on_events_committed);
}

void Database::EventsCommitted() {
  std::lock_guard<std::mutex> lock(listener_mu_);
  if (on_events_committed_) on_events_committed_();
}

Database::WriterStats Database::writer_stats() const {
  WriterStats s;
  s.waits = writer_waits_.load(std::memory_order_relaxed);
  s.wait_micros = writer_wait_micros_.load(std::memory_order_relaxed);
  s.timeouts = writer_timeouts_.load(std::memory_order_relaxed);
  return s;
}

Database::FileSizes Database::file_sizes() const {
  auto size_of = [](const std::string& path) -> int64_t {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
  };
  return {size_of(opts_.path), size_of(opts_.path + "-wal")};
}

void NoteEventWritten(SQLite::Database& db) {
  if (PooledState* state = StateOf(db)) state->events_written = true;
}

WriteTransaction::WriteTransaction(SQLite::Database& db)
    : db_(db), writer_(LockWriter(db)), tx_(db, SQLite::TransactionBehavior::IMMEDIATE) {}

WriteTransaction::~WriteTransaction() {
  // Rolled back: what was noted is gone with it.
  if (!committed_) {
    if (PooledState* state = StateOf(db_)) state->events_written = false;
  }
}

std::unique_lock<std::timed_mutex> WriteTransaction::LockWriter(SQLite::Database& db) {
  PooledState* state = StateOf(db);
  if (state == nullptr) return {};
  std::unique_lock<std::timed_mutex> lock(*state->writer, std::defer_lock);
  if (lock.try_lock()) return lock;
  Database& owner = *state->owner;
  auto started = std::chrono::steady_clock::now();
  bool got = lock.try_lock_for(std::chrono::milliseconds(state->busy_timeout_ms));
  owner.writer_waits_.fetch_add(1, std::memory_order_relaxed);
  owner.writer_wait_micros_.fetch_add(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                            started)
          .count(),
      std::memory_order_relaxed);
  if (!got) {
    owner.writer_timeouts_.fetch_add(1, std::memory_order_relaxed);
    // What SQLite reports when its own lock stays taken: the same 503.
    throw SQLite::Exception("the writer lock stayed taken", SQLITE_BUSY);
  }
  return lock;
}

void WriteTransaction::Commit() {
  tx_.commit();
  committed_ = true;
  if (writer_.owns_lock()) writer_.unlock();
  PooledState* state = StateOf(db_);
  if (state != nullptr && state->events_written) {
    state->events_written = false;
    state->owner->EventsCommitted();
  }
}

void BindOrNull(SQLite::Statement& q, int index, const std::string& value) {
  if (value.empty()) {
    q.bind(index);
  } else {
    q.bind(index, value);
  }
}

void BindOrNull(SQLite::Statement& q, int index, int64_t value) {
  if (value == 0) {
    q.bind(index);
  } else {
    q.bind(index, value);
  }
}

Status FromSqliteError(const std::exception& e, const char* what) {
  int code = SQLITE_ERROR;
  if (const auto* se = dynamic_cast<const SQLite::Exception*>(&e)) {
    code = se->getExtendedErrorCode();
  }
  log::Error("database_error").Str("operation", what).Str("cause", e.what()).Emit();
  if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return Status::AlreadyExists("the record conflicts with an existing one");
  }
  if (code == SQLITE_CONSTRAINT_FOREIGNKEY) {
    return Status::FailedPrecondition("the record refers to one that does not exist");
  }
  // Any other constraint (NOT NULL, CHECK) means validation missed something:
  // a bug, reported as internal.
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable("the database is busy; try again");
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      return Status::Unavailable("the database cannot be written");
    default:
      return Status::Internal("database error");
  }
}

}  // namespace cairn::store
