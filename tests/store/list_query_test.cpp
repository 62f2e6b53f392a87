#include "store/list_query.h"

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

namespace cairn::store {
namespace {

// Rows with many ties in both sort columns, so the id tie-breaker matters.
void Fill(SQLite::Database& db) {
  db.exec("CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL, s TEXT NOT NULL)");
  for (int i = 0; i < 57; ++i) {
    char id[8];
    std::snprintf(id, sizeof id, "r%02d", (i * 37) % 57);  // ids not in insertion order
    SQLite::Statement q(db, "INSERT INTO t VALUES (?, ?, ?)");
    q.bind(1, id);
    q.bind(2, i % 5);
    q.bind(3, std::string(1, static_cast<char>('a' + i % 3)));
    q.exec();
  }
}

std::vector<std::string> All(SQLite::Database& db, const std::string& order) {
  std::vector<std::string> out;
  SQLite::Statement q(db, "SELECT id FROM t ORDER BY " + order);
  while (q.executeStep()) out.push_back(q.getColumn(0).getString());
  return out;
}

// Pages through with the keyset cursor and returns the ids in order.
std::vector<std::string> ByCursor(SQLite::Database& db, ListSpec spec, int* pages) {
  std::vector<std::string> out;
  *pages = 0;
  for (;;) {
    ListResult r;
    std::vector<std::string> page;
    Status st = RunList(
        db, "id", "t", "id", spec,
        [&](SQLite::Statement& q) { page.push_back(q.getColumn(0).getString()); }, &r);
    REQUIRE(st.ok());
    ++*pages;
    REQUIRE(static_cast<int>(page.size()) <= spec.limit);
    out.insert(out.end(), page.begin(), page.end());
    if (!r.more) break;
    REQUIRE(*pages < 100);
    spec.after = r.last;
  }
  return out;
}

TEST_CASE("keyset paging visits every row once, in the full order, for every direction mix") {
  SQLite::Database db(":memory:", SQLite::OPEN_READWRITE);
  Fill(db);
  struct Case {
    std::vector<OrderTerm> order;
    bool id_desc;
    std::string sql;
  };
  const std::vector<Case> cases = {
      {{}, false, "id ASC"},
      {{}, true, "id DESC"},
      {{{"n", false}}, false, "n ASC, id ASC"},
      {{{"n", true}}, true, "n DESC, id DESC"},
      {{{"n", true}, {"s", false}}, true, "n DESC, s ASC, id DESC"},
      {{{"s", false}, {"n", true}}, false, "s ASC, n DESC, id ASC"},
  };
  for (const Case& c : cases) {
    for (int limit : {1, 4, 20, 57, 100}) {
      ListSpec spec;
      spec.order = c.order;
      spec.id_desc = c.id_desc;
      spec.limit = limit;
      int pages = 0;
      INFO(c.sql, " limit ", limit);
      CHECK(ByCursor(db, spec, &pages) == All(db, c.sql));
      CHECK(pages == (57 + limit - 1) / limit);
    }
  }
}

// SQLite virtual-machine steps taken by one RunList: a measure of the rows
// it visited that, unlike time, does not vary with the machine.
int64_t StepsFor(SQLite::Database& db, const ListSpec& spec, ListResult* r) {
  int64_t steps = 0;
  sqlite3_progress_handler(
      db.getHandle(), 1,
      [](void* n) {
        ++*static_cast<int64_t*>(n);
        return 0;
      },
      &steps);
  Status st = RunList(db, "id", "big", "rowid", spec, [](SQLite::Statement&) {}, r);
  sqlite3_progress_handler(db.getHandle(), 0, nullptr, nullptr);
  REQUIRE(st.ok());
  return steps;
}

TEST_CASE("a deep keyset page costs what the first one does, and an uncounted list counts nothing") {
  SQLite::Database db(":memory:", SQLite::OPEN_READWRITE);
  db.exec("CREATE TABLE big (id TEXT NOT NULL, owner INTEGER NOT NULL, at INTEGER NOT NULL)");
  db.exec("CREATE INDEX big_owner ON big(owner, at)");
  // 20,000 rows of owner 1 with ties on `at`, and others' rows between them.
  db.exec(
      "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 39999) "
      "INSERT INTO big SELECT 'r' || i, i % 2, i / 3 FROM n");
  for (bool desc : {true, false}) {
    INFO("desc ", desc);
    ListSpec spec;
    spec.where = {"owner = ?"};
    spec.args = {int64_t{1}};
    spec.order = {{"at", desc}};
    spec.id_desc = desc;
    spec.count = false;
    ListResult first;
    int64_t first_steps = StepsFor(db, spec, &first);
    CHECK(first.total == 0);  // not counted
    REQUIRE(first.more);

    // The cursor after row 18,000 of the owner's 20,000: the offset page
    // finds it by stepping over the rows before it.
    ListSpec by_offset = spec;
    by_offset.offset = 17980;
    ListResult before;
    int64_t offset_steps = StepsFor(db, by_offset, &before);
    ListSpec deep = spec;
    deep.after = before.last;
    ListResult page;
    int64_t deep_steps = StepsFor(db, deep, &page);
    CHECK(page.more);
    CHECK(deep_steps < 2 * first_steps + 200);
    CHECK(offset_steps > 20 * deep_steps);

    // Counted, the same first page reads all 20,000 rows of the owner.
    spec.count = true;
    ListResult counted;
    int64_t counted_steps = StepsFor(db, spec, &counted);
    CHECK(counted.total == 20000);
    CHECK(counted_steps > 10 * first_steps);
  }
}

TEST_CASE("filters are bound, counted in total, and combine with paging") {
  SQLite::Database db(":memory:", SQLite::OPEN_READWRITE);
  Fill(db);
  ListSpec spec;
  spec.where = {"n = ?", "s != ?"};
  spec.args = {int64_t{2}, std::string("a")};
  spec.order = {{"s", false}};
  spec.limit = 3;
  ListResult r;
  std::vector<std::string> ids;
  REQUIRE(RunList(
              db, "id", "t", "id", spec,
              [&](SQLite::Statement& q) { ids.push_back(q.getColumn(0).getString()); }, &r)
              .ok());
  long long expected = db.execAndGet("SELECT count(*) FROM t WHERE n = 2 AND s != 'a'").getInt64();
  CHECK(r.total == expected);
  CHECK(ids.size() == 3);
  CHECK(r.more == (expected > 3));
  // A value that looks like SQL is only ever a value.
  spec.args = {int64_t{2}, std::string("a' OR 1=1 --")};
  REQUIRE(RunList(
              db, "id", "t", "id", spec, [](SQLite::Statement&) {}, &r)
              .ok());
  CHECK(r.total == db.execAndGet("SELECT count(*) FROM t WHERE n = 2").getInt64());
}

TEST_CASE("offset paging and its end") {
  SQLite::Database db(":memory:", SQLite::OPEN_READWRITE);
  Fill(db);
  ListSpec spec;
  spec.limit = 10;
  spec.offset = 50;
  ListResult r;
  int rows = 0;
  REQUIRE(RunList(
              db, "id", "t", "id", spec, [&](SQLite::Statement&) { ++rows; }, &r)
              .ok());
  CHECK(rows == 7);
  CHECK_FALSE(r.more);
  CHECK(r.total == 57);
  spec.offset = 47;
  rows = 0;
  REQUIRE(RunList(
              db, "id", "t", "id", spec, [&](SQLite::Statement&) { ++rows; }, &r)
              .ok());
  CHECK(rows == 10);
  CHECK_FALSE(r.more);  // exactly at the end: no empty next page
}

TEST_CASE("a cursor with the wrong number of keys is refused, not run") {
  SQLite::Database db(":memory:", SQLite::OPEN_READWRITE);
  Fill(db);
  ListSpec spec;
  spec.order = {{"n", false}};
  spec.after = {std::string("r01")};  // misses the value for n
  ListResult r;
  CHECK(RunList(
            db, "id", "t", "id", spec, [](SQLite::Statement&) {}, &r)
            .code() == Code::kInvalidArgument);
}

}  // namespace
}  // namespace cairn::store
