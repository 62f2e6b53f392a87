#include "store/events.h"

#include <SQLiteCpp/Statement.h>
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "store/database.h"
#include "store/migrations.h"
#include "util/ids.h"

namespace cairn::store {
namespace {

std::unique_ptr<SQLite::Database> Migrated(size_t upto) {
  auto db = OpenConnection({":memory:", true, 5000, 1});
  REQUIRE(db.ok());
  auto all = ParseMigrations(embedded::Migrations());
  REQUIRE(all.ok());
  REQUIRE(upto <= all->size());
  std::vector<Migration> some(all->begin(), all->begin() + static_cast<long>(upto));
  REQUIRE(Migrate(**db, some).ok());
  return std::move(db.value());
}

std::unique_ptr<SQLite::Database> Migrated() {
  auto all = ParseMigrations(embedded::Migrations());
  REQUIRE(all.ok());
  return Migrated(all->size());
}

EventRow Event(const std::string& user) {
  EventRow e;
  e.user_id = user;
  e.type = "transaction.created";
  e.data = "{}";
  e.created_at = 1700000000;
  return e;
}

TEST_CASE("an appended event gets the next seq and an id made from it") {
  auto db = Migrated();
  std::set<std::string> ids;
  int64_t last = 0;
  for (int i = 0; i < 50; ++i) {
    WriteTransaction tx(*db);
    EventRow e = Event("usr_0000000000000001");
    REQUIRE(InsertEvent(*db, &e).ok());
    tx.Commit();
    CHECK(e.seq == last + 1);
    last = e.seq;
    CHECK(IsWellFormedId(e.id));
    CHECK(e.id.rfind("evt_", 0) == 0);
    ids.insert(e.id);
    // What was stored is what the caller was told.
    SQLite::Statement q(*db, "SELECT id FROM events WHERE seq = ?");
    q.bind(1, e.seq);
    REQUIRE(q.executeStep());
    CHECK(q.getColumn(0).getString() == e.id);
  }
  CHECK(ids.size() == 50);
  auto pending = PendingEvents(*db, 100);
  REQUIRE(pending.ok());
  REQUIRE(pending->size() == 50);
  CHECK(pending->front().id == IdFromCounter("evt", *PermutationKeyFromHex(
      db->execAndGet("SELECT id_key FROM instance").getString()), 1));
}

TEST_CASE("two databases make different event ids for the same seq") {
  auto a = Migrated();
  auto b = Migrated();
  EventRow ea = Event("usr_0000000000000001");
  EventRow eb = Event("usr_0000000000000001");
  REQUIRE(InsertEvent(*a, &ea).ok());
  REQUIRE(InsertEvent(*b, &eb).ok());
  CHECK(ea.seq == eb.seq);
  CHECK(ea.id != eb.id);
}

TEST_CASE("rebuilding events keeps every row and id, and never reuses a seq") {
  auto all = ParseMigrations(embedded::Migrations());
  REQUIRE(all.ok());
  // The rebuild came with 0006; stop just before it.
  size_t before = 0;
  while (before < all->size() && (*all)[before].version < 6) ++before;
  REQUIRE(before < all->size());
  auto db = Migrated(before);
  db->exec(
      "INSERT INTO events (id, user_id, type, data, created_at) VALUES "
      "('evt_00000000000000a1', 'usr_0000000000000001', 't', '{}', 1),"
      "('evt_00000000000000a2', 'usr_0000000000000001', 't', '{}', 2),"
      "('evt_00000000000000a3', 'usr_0000000000000001', 't', '{}', 3)");
  db->exec("DELETE FROM events WHERE seq = 3");  // the newest one, erased
  REQUIRE(Migrate(*db, *all).ok());

  SQLite::Statement q(*db, "SELECT group_concat(seq || ':' || id, ' ') FROM events");
  REQUIRE(q.executeStep());
  CHECK(q.getColumn(0).getString() == "1:evt_00000000000000a1 2:evt_00000000000000a2");
  EventRow e = Event("usr_0000000000000001");
  REQUIRE(InsertEvent(*db, &e).ok());
  CHECK(e.seq == 4);
  // The indexes the dispatcher and the per-user stream read came back.
  CHECK(db->execAndGet("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
                       "name IN ('events_pending', 'events_user')")
            .getInt() == 2);
}

TEST_CASE("an instance without a readable id key stores no event") {
  auto db = Migrated();
  db->exec("UPDATE instance SET id_key = 'not hex'");
  {
    WriteTransaction tx(*db);
    EventRow e = Event("usr_0000000000000001");
    CHECK(InsertEvent(*db, &e).code() == Code::kInternal);
  }  // not committed: the caller's transaction takes the half-made row back
  CHECK(db->execAndGet("SELECT count(*) FROM events").getInt() == 0);
}

}  // namespace
}  // namespace cairn::store
