#include "store/migrations.h"

#include <SQLiteCpp/Statement.h>
#include <doctest/doctest.h>

#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "../log_capture.h"
#include "../temp_dir.h"
#include "store/database.h"

namespace cairn::store {
namespace {

using embedded::File;
using testing::LogCapture;

// A fresh in-memory database, configured as the server configures its files.
std::unique_ptr<SQLite::Database> Fresh() {
  auto db = OpenConnection({":memory:", true, 5000, 1});
  REQUIRE(db.ok());
  return std::move(db.value());
}

std::vector<Migration> Parse(std::span<const File> files) {
  auto m = ParseMigrations(files);
  REQUIRE(m.ok());
  return std::move(m.value());
}

// schema_migrations as "version|name|checksum|applied_at" rows, in order.
std::vector<std::string> Rows(SQLite::Database& db) {
  std::vector<std::string> out;
  if (!db.tableExists("schema_migrations")) return out;
  SQLite::Statement q(db,
                      "SELECT version || '|' || name || '|' || checksum || '|' || applied_at "
                      "FROM schema_migrations ORDER BY version");
  while (q.executeStep()) out.push_back(q.getColumn(0).getString());
  return out;
}

std::vector<std::string> Tables(SQLite::Database& db) {
  std::vector<std::string> out;
  SQLite::Statement q(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  while (q.executeStep()) out.push_back(q.getColumn(0).getString());
  return out;
}

constexpr File kA{"0001_a.sql", "CREATE TABLE a (x INTEGER);"};
constexpr File kB{"0002_b.sql", "CREATE TABLE b (y INTEGER);\nINSERT INTO b VALUES (1);"};
constexpr File kC{"0003_c.sql", "CREATE TABLE c (z INTEGER);"};
constexpr File kAB[] = {kA, kB};
constexpr File kABC[] = {kA, kB, kC};
constexpr File kAC[] = {kA, kC};
constexpr File kOnlyA[] = {kA};

TEST_CASE("the embedded migrations parse, in order, with their SHA-256 checksums") {
  std::vector<Migration> ms = Parse(embedded::Migrations());
  REQUIRE_FALSE(ms.empty());
  CHECK(ms.front().version == 1);
  CHECK(ms.front().name == "0001_init.sql");
  for (size_t i = 0; i < ms.size(); ++i) {
    CAPTURE(ms[i].name);
    CHECK(std::regex_match(ms[i].checksum, std::regex("^[0-9a-f]{64}$")));
    CHECK(ms[i].sql == embedded::Migrations()[i].data);
    if (i > 0) CHECK(ms[i].version > ms[i - 1].version);
  }
}

TEST_CASE("a migration's checksum is the SHA-256 of its text") {
  const File files[] = {{"0001_empty.sql", ""}, {"0002_abc.sql", "abc"}};
  std::vector<Migration> ms = Parse(files);
  REQUIRE(ms.size() == 2);
  CHECK(ms[0].checksum == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(ms[1].checksum == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(ms[1].version == 2);
  CHECK(ms[1].name == "0002_abc.sql");
}

TEST_CASE("migration files not named NNNN_name.sql are refused") {
  const std::vector<std::string> bad = {
      "1_init.sql",        "0001init.sql",  "0001_init.txt", "0001_.sql", "000a_init.sql",
      "00001_init.sql",    "0000_init.sql", "0001_init.SQL", "init.sql",  "",
      "0001_init.sql.bak", "-001_init.sql", "0001-init.sql",
  };
  for (const std::string& name : bad) {
    CAPTURE(name);
    const File files[] = {{name, "SELECT 1;"}};
    auto r = ParseMigrations(files);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
  }
}

TEST_CASE("repeated or out-of-order migration versions are refused") {
  const File repeated[] = {{"0001_a.sql", ""}, {"0001_b.sql", ""}};
  const File reordered[] = {{"0002_b.sql", ""}, {"0001_a.sql", ""}};
  CHECK(ParseMigrations(repeated).status().code() == Code::kInvalidArgument);
  CHECK(ParseMigrations(reordered).status().code() == Code::kInvalidArgument);
  CHECK(ParseMigrations(kAC).ok());  // a gap in the files themselves is allowed
}

TEST_CASE("a fresh database gets every embedded migration, recorded with its checksum") {
  LogCapture logs;
  auto db = Fresh();
  std::vector<Migration> ms = Parse(embedded::Migrations());
  int pending = -1;
  REQUIRE(Verify(*db, ms, &pending).ok());
  CHECK(pending == static_cast<int>(ms.size()));

  auto report = Migrate(*db, ms);
  REQUIRE(report.ok());
  CHECK(report->applied == static_cast<int>(ms.size()));
  CHECK(report->current_version == ms.back().version);

  std::vector<std::string> rows = Rows(*db);
  REQUIRE(rows.size() == ms.size());
  for (size_t i = 0; i < ms.size(); ++i) {
    CAPTURE(rows[i]);
    std::string prefix =
        std::to_string(ms[i].version) + "|" + ms[i].name + "|" + ms[i].checksum + "|";
    CHECK(rows[i].compare(0, prefix.size(), prefix) == 0);
    CHECK(std::regex_match(rows[i].substr(prefix.size()),
                           std::regex(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$)")));
  }
  CHECK(db->execAndGet("SELECT count(*) FROM instance").getInt() == 1);
  CHECK(Verify(*db, ms, &pending).ok());
  CHECK(pending == 0);
  CHECK(logs.Events("migration_applied").size() == ms.size());
}

TEST_CASE("migrating an up-to-date database applies nothing and changes nothing") {
  LogCapture logs;
  auto db = Fresh();
  std::vector<Migration> ms = Parse(embedded::Migrations());
  REQUIRE(Migrate(*db, ms).ok());
  std::vector<std::string> before = Rows(*db);
  auto again = Migrate(*db, ms);
  REQUIRE(again.ok());
  CHECK(again->applied == 0);
  CHECK(again->current_version == ms.back().version);
  CHECK(Rows(*db) == before);
}

TEST_CASE("an empty migration list leaves a fresh database at version 0") {
  auto db = Fresh();
  auto report = Migrate(*db, {});
  REQUIRE(report.ok());
  CHECK(report->applied == 0);
  CHECK(report->current_version == 0);
}

TEST_CASE("new migrations are applied on top of the ones already there") {
  LogCapture logs;
  auto db = Fresh();
  REQUIRE(Migrate(*db, Parse(kOnlyA)).ok());
  std::vector<std::string> first = Rows(*db);
  auto report = Migrate(*db, Parse(kAB));
  REQUIRE(report.ok());
  CHECK(report->applied == 1);
  CHECK(report->current_version == 2);
  std::vector<std::string> rows = Rows(*db);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0] == first[0]);  // 0001's row is not rewritten
  CHECK(db->execAndGet("SELECT count(*) FROM b").getInt() == 1);
}

TEST_CASE("a migration changed after it was applied stops Migrate and Verify") {
  LogCapture logs;
  auto db = Fresh();
  REQUIRE(Migrate(*db, Parse(kOnlyA)).ok());
  db->exec("UPDATE schema_migrations SET checksum = 'x' WHERE version = 1");
  std::vector<std::string> rows = Rows(*db);
  std::vector<std::string> tables = Tables(*db);

  int pending = -1;
  Status verified = Verify(*db, Parse(kAB), &pending);
  CHECK(verified.code() == Code::kFailedPrecondition);
  CHECK(verified.message().find("0001_a.sql") != std::string::npos);

  auto migrated = Migrate(*db, Parse(kAB));
  REQUIRE_FALSE(migrated.ok());
  CHECK(migrated.status().code() == Code::kFailedPrecondition);
  CHECK(Rows(*db) == rows);
  CHECK(Tables(*db) == tables);  // 0002 was not applied
}

TEST_CASE("a database newer than the binary is refused and left as it was") {
  LogCapture logs;
  auto db = Fresh();
  REQUIRE(Migrate(*db, Parse(kOnlyA)).ok());
  db->exec(
      "INSERT INTO schema_migrations (version, name, checksum, applied_at) "
      "VALUES (9999, '9999_future.sql', 'abc', '2030-01-01T00:00:00Z')");
  std::vector<std::string> rows = Rows(*db);
  std::vector<std::string> tables = Tables(*db);

  int pending = -1;
  Status verified = Verify(*db, Parse(kAB), &pending);
  CHECK(verified.code() == Code::kFailedPrecondition);
  CHECK(verified.message().find("9999_future.sql") != std::string::npos);

  auto migrated = Migrate(*db, Parse(kAB));
  REQUIRE_FALSE(migrated.ok());
  CHECK(migrated.status().code() == Code::kFailedPrecondition);
  CHECK(Rows(*db) == rows);
  CHECK(Tables(*db) == tables);
}

TEST_CASE("the real migrations refuse a database that has an extra applied version") {
  LogCapture logs;
  auto db = Fresh();
  std::vector<Migration> ms = Parse(embedded::Migrations());
  REQUIRE(Migrate(*db, ms).ok());
  db->exec(
      "INSERT INTO schema_migrations (version, name, checksum, applied_at) "
      "VALUES (9999, '9999_future.sql', 'abc', '2030-01-01T00:00:00Z')");
  std::vector<std::string> rows = Rows(*db);
  auto migrated = Migrate(*db, ms);
  REQUIRE_FALSE(migrated.ok());
  CHECK(migrated.status().code() == Code::kFailedPrecondition);
  CHECK(Rows(*db) == rows);
}

TEST_CASE("a migration missing below the newest applied version is refused") {
  LogCapture logs;
  auto db = Fresh();
  REQUIRE(Migrate(*db, Parse(kAC)).ok());  // 0001 and 0003 applied, 0002 never
  std::vector<std::string> rows = Rows(*db);
  std::vector<std::string> tables = Tables(*db);

  int pending = -1;
  Status verified = Verify(*db, Parse(kABC), &pending);
  CHECK(verified.code() == Code::kFailedPrecondition);
  CHECK(verified.message().find("0002_b.sql") != std::string::npos);

  auto migrated = Migrate(*db, Parse(kABC));
  REQUIRE_FALSE(migrated.ok());
  CHECK(migrated.status().code() == Code::kFailedPrecondition);
  CHECK(Rows(*db) == rows);
  CHECK(Tables(*db) == tables);
}

TEST_CASE("a failing migration is rolled back and leaves the earlier ones applied") {
  LogCapture logs;
  auto db = Fresh();
  // 0002 creates its table, then fails: the table must go with the failure.
  const File broken[] = {
      kA, {"0002_b.sql", "CREATE TABLE b (y INTEGER);\nINSERT INTO nosuch VALUES (1);"}};
  auto migrated = Migrate(*db, Parse(broken));
  REQUIRE_FALSE(migrated.ok());
  CHECK(migrated.status().code() == Code::kInternal);
  std::vector<std::string> rows = Rows(*db);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].compare(0, 13, "1|0001_a.sql|") == 0);
  CHECK(db->tableExists("a"));
  CHECK_FALSE(db->tableExists("b"));
  CHECK(logs.Events("migration_failed").size() == 1);

  // Once fixed, the migration applies.
  auto fixed = Migrate(*db, Parse(kAB));
  REQUIRE(fixed.ok());
  CHECK(fixed->applied == 1);
  CHECK(db->tableExists("b"));
}

TEST_CASE("two connections migrating one file at once apply each migration once") {
  LogCapture logs;
  testing::TempDir dir;
  const DatabaseOptions opts{dir.File("cairn.db"), true, 10000, 1};
  std::vector<Migration> ms = Parse(kABC);
  Result<MigrateReport> reports[2] = {Status::Internal("not run"), Status::Internal("not run")};
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      auto conn = OpenConnection(opts);
      if (!conn.ok()) {
        reports[i] = conn.status();
        return;
      }
      reports[i] = Migrate(*conn.value(), ms);
    });
  }
  for (std::thread& t : threads) t.join();
  CAPTURE(reports[0].status().message());
  CAPTURE(reports[1].status().message());
  REQUIRE(reports[0].ok());
  REQUIRE(reports[1].ok());
  CHECK(reports[0]->applied + reports[1]->applied == 3);
  CHECK(reports[0]->current_version == 3);
  CHECK(reports[1]->current_version == 3);

  auto conn = OpenConnection(opts);
  REQUIRE(conn.ok());
  CHECK(Rows(*conn.value()).size() == 3);
  CHECK(conn.value()->execAndGet("SELECT count(*) FROM b").getInt() == 1);
}

}  // namespace
}  // namespace cairn::store
