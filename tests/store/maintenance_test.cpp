#include "store/maintenance.h"

#include <SQLiteCpp/Statement.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "../log_capture.h"
#include "../temp_dir.h"
#include "store/database.h"
#include "store/migrations.h"
#include "util/embedded.h"

namespace cairn::store {
namespace {

using testing::TempDir;

DatabaseOptions At(const std::string& path) {
  DatabaseOptions opts;
  opts.path = path;
  return opts;
}

std::unique_ptr<SQLite::Database> Open(const std::string& path) {
  auto conn = OpenConnection(At(path));
  REQUIRE(conn.ok());
  return std::move(conn.value());
}

void MigrateReal(SQLite::Database& db) {
  auto ms = ParseMigrations(embedded::Migrations());
  REQUIRE(ms.ok());
  REQUIRE(Migrate(db, ms.value()).ok());
}

int Count(SQLite::Database& db, const std::string& table) {
  return db.execAndGet("SELECT count(*) FROM " + table).getInt();
}

// A database with a table of n rows of 200 random bytes each.
void Fill(const std::string& path, int n) {
  auto db = Open(path);
  db->exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB NOT NULL)");
  db->exec("CREATE INDEX t_v ON t (v)");
  WriteTransaction tx(*db);
  SQLite::Statement ins(*db, "INSERT INTO t (v) VALUES (randomblob(200))");
  for (int i = 0; i < n; ++i) {
    ins.exec();
    ins.reset();
  }
  tx.Commit();
}

TEST_CASE("a sound database has no integrity problems") {
  testing::LogCapture logs;
  TempDir dir;
  auto db = Open(dir.File("cairn.db"));
  MigrateReal(*db);
  auto problems = CheckIntegrity(*db);
  REQUIRE(problems.ok());
  CHECK(problems->empty());
}

TEST_CASE("a foreign key violation is reported as a problem") {
  auto conn = OpenConnection({":memory:", true, 0, 1});
  REQUIRE(conn.ok());
  SQLite::Database& db = *conn.value();
  db.exec("CREATE TABLE parent (id INTEGER PRIMARY KEY)");
  db.exec("CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id))");
  db.exec("PRAGMA foreign_keys=OFF");
  db.exec("INSERT INTO child (id, parent_id) VALUES (7, 42)");
  auto problems = CheckIntegrity(db);
  REQUIRE(problems.ok());
  REQUIRE(problems->size() == 1);
  CHECK(problems->front() == "foreign key violation in table child rowid 7");
}

TEST_CASE("a file with pages overwritten by garbage is reported as damaged") {
  testing::LogCapture logs;
  TempDir dir;
  const std::string path = dir.File("cairn.db");
  Fill(path, 3000);
  REQUIRE_FALSE(testing::FileExists(path + "-wal"));  // closing checkpointed it

  std::string bytes = testing::ReadFile(path);
  REQUIRE(bytes.size() > 200000);
  for (size_t i = bytes.size() / 2; i < bytes.size() / 2 + 32768; ++i) {
    bytes[i] = static_cast<char>((i * 7919) & 0xff);
  }
  testing::WriteFile(path, bytes);

  auto conn = OpenConnection(At(path));
  if (!conn.ok()) {
    CHECK(conn.status().code() == Code::kUnavailable);
    return;
  }
  auto problems = CheckIntegrity(*conn.value());
  REQUIRE(problems.ok());
  CHECK_FALSE(problems->empty());
}

TEST_CASE("a backup is a private copy that opens and holds the same rows") {
  testing::LogCapture logs;
  TempDir dir;
  const std::string path = dir.File("cairn.db");
  Fill(path, 500);
  auto db = Open(path);
  MigrateReal(*db);

  const std::string out = dir.File("backup.db");
  REQUIRE(Backup(*db, out).ok());
  CHECK(testing::FileMode(out) == 0600);
  CHECK(testing::ListDir(dir.path()) ==
        std::vector<std::string>{"backup.db", "cairn.db", "cairn.db-shm", "cairn.db-wal"});

  SQLite::Database copy(out, SQLite::OPEN_READONLY);
  CHECK(copy.execAndGet("PRAGMA quick_check").getString() == "ok");
  CHECK(Count(copy, "t") == 500);
  CHECK(copy.execAndGet("SELECT sum(length(v)) FROM t").getInt64() == 500 * 200);
  auto live = ReadInstance(*db);
  auto copied = ReadInstance(copy);
  REQUIRE(live.ok());
  REQUIRE(copied.ok());
  CHECK(copied->instance_id == live->instance_id);
}

TEST_CASE("a backup onto an existing path is refused and the file is not touched") {
  testing::LogCapture logs;
  TempDir dir;
  auto db = Open(dir.File("cairn.db"));
  MigrateReal(*db);
  const std::string out = dir.File("backup.db");
  testing::WriteFile(out, "keep me", 0644);

  Status st = Backup(*db, out);
  CHECK(st.code() == Code::kAlreadyExists);
  CHECK(testing::ReadFile(out) == "keep me");
  CHECK(testing::FileMode(out) == 0644);
  CHECK(testing::ListDir(dir.path()) ==
        std::vector<std::string>{"backup.db", "cairn.db", "cairn.db-shm", "cairn.db-wal"});
}

TEST_CASE("a backup into a missing directory fails and leaves nothing behind") {
  testing::LogCapture logs;
  TempDir dir;
  auto db = Open(dir.File("cairn.db"));
  MigrateReal(*db);
  Status st = Backup(*db, dir.File("missing/backup.db"));
  CHECK_FALSE(st.ok());
  CHECK(st.code() == Code::kUnavailable);
  CHECK(testing::ListDir(dir.path()) ==
        std::vector<std::string>{"cairn.db", "cairn.db-shm", "cairn.db-wal"});
}

TEST_CASE("a backup taken while another connection writes is one consistent snapshot") {
  TempDir dir;
  const std::string path = dir.File("cairn.db");
  auto db = Open(path);
  db->exec("CREATE TABLE a (n INTEGER NOT NULL)");
  db->exec("CREATE TABLE b (n INTEGER NOT NULL)");

  // Each transaction adds one row to a and one to b: any snapshot has as many
  // rows in one as in the other.
  std::atomic<bool> stop{false};
  std::atomic<int> committed{0};
  std::atomic<bool> writer_failed{false};
  std::string writer_error;  // written before writer_failed is set
  std::thread writer([&] {
    try {
      auto conn = Open(path);
      for (int n = 0; !stop.load(); ++n) {
        WriteTransaction tx(*conn);
        SQLite::Statement ia(*conn, "INSERT INTO a (n) VALUES (?)");
        ia.bind(1, n);
        ia.exec();
        SQLite::Statement ib(*conn, "INSERT INTO b (n) VALUES (?)");
        ib.bind(1, n);
        ib.exec();
        tx.Commit();
        committed.fetch_add(1);
      }
    } catch (const std::exception& e) {
      writer_error = e.what();
      writer_failed.store(true);
    }
  });
  while (committed.load() < 50 && !writer_failed.load()) std::this_thread::yield();

  const std::string out = dir.File("backup.db");
  Status st = Backup(*db, out);
  int committed_after_backup = committed.load();
  stop.store(true);
  writer.join();
  CAPTURE(writer_error);
  REQUIRE_FALSE(writer_failed.load());
  REQUIRE(st.ok());

  SQLite::Database copy(out, SQLite::OPEN_READONLY);
  CHECK(copy.execAndGet("PRAGMA quick_check").getString() == "ok");
  int rows_a = Count(copy, "a");
  CHECK(rows_a >= 50);
  CHECK(rows_a <= committed_after_backup);
  CHECK(Count(copy, "b") == rows_a);
  CHECK(copy.execAndGet("SELECT count(DISTINCT n) FROM a").getInt() == rows_a);
}

TEST_CASE("the instance row is read, and missing when the schema or the row is") {
  testing::LogCapture logs;
  auto conn = OpenConnection({":memory:", true, 0, 1});
  REQUIRE(conn.ok());
  SQLite::Database& db = *conn.value();
  CHECK_FALSE(ReadInstance(db).ok());  // no table yet

  MigrateReal(db);
  auto info = ReadInstance(db);
  REQUIRE(info.ok());
  CHECK(std::regex_match(info->instance_id, std::regex("^ins_[0-9a-f]{16}$")));
  CHECK(std::regex_match(info->created_at, std::regex(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$)")));

  db.exec("DELETE FROM instance");
  CHECK(ReadInstance(db).status().code() == Code::kNotFound);
}

}  // namespace
}  // namespace cairn::store
