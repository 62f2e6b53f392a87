#include "store/database.h"

#include <SQLiteCpp/Exception.h>
#include <doctest/doctest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../log_capture.h"
#include "../temp_dir.h"
#include "store/events.h"
#include "store/migrations.h"
#include "util/embedded.h"

namespace cairn::store {
namespace {

using std::chrono::milliseconds;
using testing::LogCapture;
using testing::TempDir;

DatabaseOptions Options(const TempDir& dir, int pool_size = 2) {
  DatabaseOptions opts;
  opts.path = dir.File("cairn.db");
  opts.pool_size = pool_size;
  return opts;
}

void MigrateFile(const DatabaseOptions& opts) {
  auto ms = ParseMigrations(embedded::Migrations());
  REQUIRE(ms.ok());
  auto conn = OpenConnection(opts);
  REQUIRE(conn.ok());
  REQUIRE(Migrate(*conn.value(), ms.value()).ok());
}

int64_t Pragma(SQLite::Database& db, const char* name) {
  return db.execAndGet(std::string("PRAGMA ") + name).getInt64();
}

// Runs fn, which must throw a SQLite::Exception, and maps it.
template <typename Fn>
Status MappedError(Fn fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    return FromSqliteError(e, "test");
  }
  FAIL("expected an exception");
  return Status::Ok();
}

TEST_CASE("a connection is opened in WAL mode with foreign keys and the chosen synchronous level") {
  TempDir dir;
  DatabaseOptions opts = Options(dir);
  opts.busy_timeout_ms = 1234;

  SUBCASE("FULL") {
    auto conn = OpenConnection(opts);
    REQUIRE(conn.ok());
    SQLite::Database& db = *conn.value();
    CHECK(db.execAndGet("PRAGMA journal_mode").getString() == "wal");
    CHECK(Pragma(db, "foreign_keys") == 1);
    CHECK(Pragma(db, "synchronous") == 2);
    CHECK(Pragma(db, "busy_timeout") == 1234);
  }
  SUBCASE("NORMAL") {
    opts.synchronous_full = false;
    auto conn = OpenConnection(opts);
    REQUIRE(conn.ok());
    CHECK(Pragma(*conn.value(), "synchronous") == 1);
    CHECK(Pragma(*conn.value(), "foreign_keys") == 1);
  }
  CHECK(testing::FileExists(opts.path));
}

TEST_CASE("a Query reuses its connection's statement, reset and unbound, and nests safely") {
  TempDir dir;
  auto pool = Database::Open(Options(dir, 1));
  REQUIRE(pool.ok());
  auto lease = pool.value()->Acquire();
  REQUIRE(lease.ok());
  SQLite::Database& db = *lease.value();
  db.exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)");
  db.exec("INSERT INTO t VALUES (1, 'one'), (2, 'two')");
  const std::string sql = "SELECT v FROM t WHERE k = ?";
  SQLite::Statement* first = nullptr;
  {
    Query q(db, sql);
    q->bind(1, 1);
    REQUIRE(q->executeStep());
    CHECK(q->getColumn(0).getString() == "one");
    first = &*q;
    // The same SQL while the first is borrowed: a statement of its own.
    Query nested(db, sql);
    CHECK(&*nested != first);
    nested->bind(1, 2);
    REQUIRE(nested->executeStep());
    CHECK(nested->getColumn(0).getString() == "two");
    CHECK(q->getColumn(0).getString() == "one");  // undisturbed
  }
  {
    Query again(db, sql);
    CHECK(&*again == first);  // the cached one, back from its first use
    // Reset and unbound: the parameter is NULL until bound, so no row.
    CHECK_FALSE(again->executeStep());
  }
  {
    // A query left mid-way holds no read transaction once it is gone.
    Query partial(db, "SELECT v FROM t");
    REQUIRE(partial->executeStep());
  }
  db.exec("INSERT INTO t VALUES (3, 'three')");
  {
    Query q(db, sql);
    q->bind(1, 3);
    REQUIRE(q->executeStep());
    CHECK(q->getColumn(0).getString() == "three");
  }
  // A connection outside a pool has no cache and still works.
  SQLite::Database plain(dir.File("plain.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  plain.exec("CREATE TABLE x (a)");
  Query q(plain, "SELECT count(*) FROM x");
  REQUIRE(q->executeStep());
  CHECK(q->getColumn(0).getInt() == 0);
}

TEST_CASE("a file that is not a database is refused and left untouched") {
  LogCapture logs;
  TempDir dir;
  DatabaseOptions opts = Options(dir);
  std::string garbage;
  for (int i = 0; i < 8192; ++i) garbage.push_back(static_cast<char>((i * 131 + 7) % 251));
  testing::WriteFile(opts.path, garbage);

  auto conn = OpenConnection(opts);
  REQUIRE_FALSE(conn.ok());
  CHECK(conn.status().code() == Code::kUnavailable);
  CHECK(testing::ReadFile(opts.path) == garbage);
  CHECK(logs.Events("database_open_failed").size() == 1);

  auto pool = Database::Open(opts);
  REQUIRE_FALSE(pool.ok());
  CHECK(pool.status().code() == Code::kUnavailable);
}

TEST_CASE("a database in a missing directory cannot be opened") {
  LogCapture logs;
  TempDir dir;
  DatabaseOptions opts;
  opts.path = dir.File("missing/cairn.db");
  auto conn = OpenConnection(opts);
  REQUIRE_FALSE(conn.ok());
  CHECK(conn.status().code() == Code::kUnavailable);
  CHECK_FALSE(testing::FileExists(dir.File("missing")));
}

TEST_CASE("the pool lends each connection to one borrower at a time") {
  TempDir dir;
  auto db = Database::Open(Options(dir, 2));
  REQUIRE(db.ok());
  auto first = db.value()->Acquire(milliseconds(50));
  auto second = db.value()->Acquire(milliseconds(50));
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(&*first.value() != &*second.value());

  auto third = db.value()->Acquire(milliseconds(50));
  REQUIRE_FALSE(third.ok());
  CHECK(third.status().code() == Code::kUnavailable);

  SQLite::Database* lent = &*first.value();
  { Database::Lease gone = std::move(first.value()); }
  auto again = db.value()->Acquire(milliseconds(50));
  REQUIRE(again.ok());
  CHECK(&*again.value() == lent);
}

TEST_CASE("a moved lease returns its connection once") {
  TempDir dir;
  auto db = Database::Open(Options(dir, 1));
  REQUIRE(db.ok());
  {
    auto lease = db.value()->Acquire(milliseconds(50));
    REQUIRE(lease.ok());
    Database::Lease moved(std::move(lease.value()));
    Database::Lease moved_again(std::move(moved));
  }
  auto a = db.value()->Acquire(milliseconds(50));
  REQUIRE(a.ok());
  // Had the moved-from leases returned it too, the pool would now hold two.
  CHECK_FALSE(db.value()->Acquire(milliseconds(50)).ok());
}

TEST_CASE("a borrower waiting for a connection gets the one returned") {
  TempDir dir;
  auto db = Database::Open(Options(dir, 1));
  REQUIRE(db.ok());
  auto held = db.value()->Acquire(milliseconds(50));
  REQUIRE(held.ok());
  SQLite::Database* conn = &*held.value();

  bool got = false;
  SQLite::Database* got_conn = nullptr;
  std::thread waiter([&] {
    auto lease = db.value()->Acquire(milliseconds(10000));
    got = lease.ok();
    if (got) got_conn = &*lease.value();
  });
  { Database::Lease release = std::move(held.value()); }
  waiter.join();
  CHECK(got);
  CHECK(got_conn == conn);
}

TEST_CASE("a write transaction rolls back unless committed") {
  TempDir dir;
  auto conn = OpenConnection(Options(dir));
  REQUIRE(conn.ok());
  SQLite::Database& db = *conn.value();
  db.exec("CREATE TABLE t (x INTEGER)");
  {
    WriteTransaction tx(db);
    db.exec("INSERT INTO t VALUES (1)");
  }
  CHECK(db.execAndGet("SELECT count(*) FROM t").getInt() == 0);
  {
    WriteTransaction tx(db);
    db.exec("INSERT INTO t VALUES (2)");
    tx.Commit();
  }
  CHECK(db.execAndGet("SELECT count(*) FROM t").getInt() == 1);
  CHECK(db.execAndGet("SELECT x FROM t").getInt() == 2);
}

TEST_CASE("a write transaction takes the write lock when it begins") {
  LogCapture logs;
  TempDir dir;
  DatabaseOptions opts = Options(dir);
  auto holder = OpenConnection(opts);
  opts.busy_timeout_ms = 0;
  auto other = OpenConnection(opts);
  REQUIRE(holder.ok());
  REQUIRE(other.ok());
  holder.value()->exec("CREATE TABLE t (x INTEGER)");

  WriteTransaction tx(*holder.value());
  Status st = MappedError([&] { WriteTransaction second(*other.value()); });
  CHECK(st.code() == Code::kUnavailable);
  // Readers are not blocked by it.
  CHECK(other.value()->execAndGet("SELECT count(*) FROM t").getInt() == 0);
}

TEST_CASE("ping answers once the schema is in place") {
  LogCapture logs;
  TempDir dir;
  DatabaseOptions opts = Options(dir, 2);
  MigrateFile(opts);
  auto db = Database::Open(opts);
  REQUIRE(db.ok());
  auto ms = Ping(*db.value(), milliseconds(1000));
  REQUIRE(ms.ok());
  CHECK(ms.value() >= 0.0);
  CHECK(db.value()->Acquire(milliseconds(50)).ok());  // the ping gave its lease back
}

TEST_CASE("ping is unavailable without the schema") {
  LogCapture logs;
  TempDir dir;
  auto db = Database::Open(Options(dir, 1));
  REQUIRE(db.ok());
  auto ms = Ping(*db.value(), milliseconds(50));
  REQUIRE_FALSE(ms.ok());
  CHECK(ms.status().code() == Code::kUnavailable);
  CHECK(ms.status().message().find("instance") == std::string::npos);  // the cause is logged
  CHECK(logs.Events("database_ping_failed").size() == 1);
}

TEST_CASE("ping is unavailable while every connection is lent") {
  LogCapture logs;
  TempDir dir;
  DatabaseOptions opts = Options(dir, 2);
  MigrateFile(opts);
  auto db = Database::Open(opts);
  REQUIRE(db.ok());
  auto a = db.value()->Acquire(milliseconds(50));
  auto b = db.value()->Acquire(milliseconds(50));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  auto ms = Ping(*db.value(), milliseconds(50));
  REQUIRE_FALSE(ms.ok());
  CHECK(ms.status().code() == Code::kUnavailable);
}

TEST_CASE("SQLite errors map to the most specific status and their cause is only logged") {
  LogCapture logs;
  auto conn = OpenConnection({":memory:", true, 0, 1});
  REQUIRE(conn.ok());
  SQLite::Database& db = *conn.value();
  db.exec("CREATE TABLE u (email TEXT UNIQUE)");
  db.exec("INSERT INTO u VALUES ('a@example.com')");

  Status dup = MappedError([&] { db.exec("INSERT INTO u VALUES ('a@example.com')"); });
  CHECK(dup.code() == Code::kAlreadyExists);
  CHECK(dup.message().find("u.email") == std::string::npos);

  Status syntax = MappedError([&] { db.exec("SELEC 1"); });
  CHECK(syntax.code() == Code::kInternal);
  CHECK(syntax.message().find("SELEC") == std::string::npos);

  Status other = MappedError([] { throw std::runtime_error("not from SQLite"); });
  CHECK(other.code() == Code::kInternal);

  // Only uniqueness is a conflict: a broken reference is a precondition, and
  // a NOT NULL or CHECK failure is a bug that validation should have caught.
  db.exec("CREATE TABLE parent (id INTEGER PRIMARY KEY)");
  db.exec("CREATE TABLE child (p INTEGER NOT NULL REFERENCES parent(id), n INTEGER CHECK (n > 0))");
  Status fk = MappedError([&] { db.exec("INSERT INTO child VALUES (42, 1)"); });
  CHECK(fk.code() == Code::kFailedPrecondition);
  db.exec("INSERT INTO parent VALUES (1)");
  Status not_null = MappedError([&] { db.exec("INSERT INTO child VALUES (NULL, 1)"); });
  CHECK(not_null.code() == Code::kInternal);
  Status check = MappedError([&] { db.exec("INSERT INTO child VALUES (1, -1)"); });
  CHECK(check.code() == Code::kInternal);

  std::vector<picojson::object> lines = logs.Events("database_error");
  REQUIRE(lines.size() == 6);
  CHECK(testing::StrOf(lines[0], "operation") == "test");
  CHECK(testing::StrOf(lines[0], "cause").find("UNIQUE") != std::string::npos);
}

TEST_CASE("the event listener hears each commit that wrote an event, and nothing else") {
  TempDir dir;
  DatabaseOptions opts = Options(dir, 1);
  MigrateFile(opts);
  auto pool = Database::Open(opts);
  REQUIRE(pool.ok());
  int heard = 0;
  (*pool)->SetEventListener([&heard] { ++heard; });
  auto lease = (*pool)->Acquire();
  REQUIRE(lease.ok());
  SQLite::Database& db = **lease;
  auto write_event = [&db] {
    EventRow e{0, "", "usr_0000000000000001", "recipient.created", "{}", 1700000000};
    REQUIRE(InsertEvent(db, &e).ok());
  };

  {
    WriteTransaction tx(db);
    write_event();
    write_event();
    tx.Commit();
  }
  CHECK(heard == 1);  // once per commit, however many events
  {
    WriteTransaction tx(db);
    write_event();
  }  // rolled back
  CHECK(heard == 1);
  {
    WriteTransaction tx(db);  // writes no event
    db.exec("UPDATE instance SET created_at = created_at");
    tx.Commit();
  }
  CHECK(heard == 1);  // the rolled-back event did not linger either
  (*pool)->SetEventListener(nullptr);
  {
    WriteTransaction tx(db);
    write_event();
    tx.Commit();
  }
  CHECK(heard == 1);
}

}  // namespace
}  // namespace cairn::store
