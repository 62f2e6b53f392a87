#include "store/group_commit.h"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <atomic>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "../log_capture.h"
#include "../temp_dir.h"

namespace cairn::store {
namespace {

using testing::TempDir;

struct Fixture {
  TempDir dir;
  std::unique_ptr<Database> db;
  std::atomic<int> commits{0};

  Fixture() {
    DatabaseOptions opts;
    opts.path = dir.File("cairn.db");
    opts.pool_size = 2;
    auto opened = Database::Open(opts);
    REQUIRE(opened.ok());
    db = std::move(opened.value());
    // Hold every connection of the pool at once to hook each: the hook
    // counts the commits GroupCommit makes, whichever connection it gets.
    auto a = db->Acquire();
    auto b = db->Acquire();
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    for (SQLite::Database* conn : {&*a.value(), &*b.value()}) {
      sqlite3_commit_hook(conn->getHandle(), &Fixture::OnCommit, this);
    }
    a.value()->exec("CREATE TABLE t (k TEXT PRIMARY KEY)");
    a.value()->exec("CREATE TABLE counter (n INTEGER NOT NULL); INSERT INTO counter VALUES (0)");
    commits = 0;
  }

  static int OnCommit(void* self) {
    static_cast<Fixture*>(self)->commits++;
    return 0;  // let it commit
  }

  int64_t Count(const std::string& sql) {
    auto lease = db->Acquire();
    REQUIRE(lease.ok());
    return lease.value()->execAndGet(sql).getInt64();
  }
  bool Has(const std::string& k) {
    return Count("SELECT count(*) FROM t WHERE k = '" + k + "'") == 1;
  }
};

Status Insert(SQLite::Database& conn, const std::string& k) {
  SQLite::Statement q(conn, "INSERT INTO t VALUES (?)");
  q.bind(1, k);
  q.exec();
  return Status::Ok();
}

TEST_CASE("a piece of work's writes are kept when it succeeds and undone when it is refused") {
  Fixture f;
  GroupCommit group(*f.db);

  CHECK(group.Run("test", [](SQLite::Database& c) { return Insert(c, "kept"); }).ok());
  Status refused = group.Run("test", [](SQLite::Database& c) {
    (void)Insert(c, "refused");
    return Status::FailedPrecondition("no");
  });
  CHECK(refused.code() == Code::kFailedPrecondition);
  // A failing statement (a duplicate key) is mapped, and undoes what the
  // work wrote before it.
  testing::LogCapture quiet;
  Status thrown = group.Run("test", [](SQLite::Database& c) {
    (void)Insert(c, "before_duplicate");
    return Insert(c, "kept");
  });
  CHECK(thrown.code() == Code::kAlreadyExists);

  CHECK(f.Has("kept"));
  CHECK_FALSE(f.Has("refused"));
  CHECK_FALSE(f.Has("before_duplicate"));
  CHECK(f.Count("SELECT count(*) FROM t") == 1);
}

TEST_CASE("writers that queue behind a commit share the next one, each kept or undone alone") {
  Fixture f;
  GroupCommit group(*f.db);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> leader_running{false};

  std::thread leader([&] {
    Status s = group.Run("leader", [&](SQLite::Database& c) {
      leader_running = true;
      released.wait();  // the others queue meanwhile
      return Insert(c, "leader");
    });
    CHECK(s.ok());
  });
  while (!leader_running) std::this_thread::yield();

  // Five writers: the third is refused after writing, the fourth fails on a
  // duplicate key after writing; the rest succeed.
  std::vector<std::future<Status>> results;
  std::atomic<int> started{0};
  for (int i = 0; i < 5; ++i) {
    results.push_back(std::async(std::launch::async, [&, i] {
      std::string k = "w" + std::to_string(i);
      started++;
      return group.Run("writer", [&, k, i](SQLite::Database& c) -> Status {
        (void)Insert(c, k);
        if (i == 2) return Status::PermissionDenied("refused");
        if (i == 3) return Insert(c, "leader");  // written by the group's first commit
        return Status::Ok();
      });
    }));
  }
  while (started < 5) std::this_thread::yield();
  // Started is not queued: give them a moment to reach the queue.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  testing::LogCapture quiet;
  release.set_value();
  leader.join();

  std::vector<Status> statuses;
  for (auto& r : results) statuses.push_back(r.get());
  CHECK(statuses[0].ok());
  CHECK(statuses[1].ok());
  CHECK(statuses[2].code() == Code::kPermissionDenied);
  CHECK(statuses[3].code() == Code::kAlreadyExists);
  CHECK(statuses[4].ok());
  CHECK(f.Has("leader"));
  CHECK(f.Has("w0"));
  CHECK(f.Has("w1"));
  CHECK_FALSE(f.Has("w2"));
  CHECK_FALSE(f.Has("w3"));
  CHECK(f.Has("w4"));
  // The leader's commit, then one for all five.
  CHECK(f.commits == 2);
}

TEST_CASE("concurrent read-modify-write work through a group loses no update") {
  Fixture f;
  GroupCommit group(*f.db, 8);
  constexpr int kThreads = 8;
  constexpr int kEach = 100;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        Status s = group.Run("count", [&](SQLite::Database& c) {
          int64_t n = c.execAndGet("SELECT n FROM counter").getInt64();
          c.exec("UPDATE counter SET n = " + std::to_string(n + 1));
          return Insert(c, std::to_string(t) + "-" + std::to_string(i));
        });
        if (!s.ok()) failures++;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
  CHECK(f.Count("SELECT n FROM counter") == kThreads * kEach);
  CHECK(f.Count("SELECT count(*) FROM t") == kThreads * kEach);
  // No group above its cap of 8.
  CHECK(f.commits >= kThreads * kEach / 8);
}

}  // namespace
}  // namespace cairn::store
