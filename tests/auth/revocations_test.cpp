#include "auth/revocations.h"

#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

namespace cairn::auth {
namespace {

TEST_CASE("a revoked session stays revoked until its time, then drops out") {
  RevocationSet set;
  set.Add("ses_a", 1000, 100);
  CHECK(set.Contains("ses_a", 100));
  CHECK(set.Contains("ses_a", 1000));
  CHECK_FALSE(set.Contains("ses_a", 1001));
  CHECK_FALSE(set.Contains("ses_b", 100));
}

TEST_CASE("adding again never shortens a revocation") {
  RevocationSet set;
  set.Add("ses_a", 1000, 100);
  set.Add("ses_a", 500, 100);
  CHECK(set.Contains("ses_a", 900));
  set.Add("ses_a", 2000, 100);
  CHECK(set.Contains("ses_a", 1500));
}

TEST_CASE("entries past their time are swept, at most once a minute") {
  RevocationSet set;
  for (int i = 0; i < 100; ++i) set.Add("old_" + std::to_string(i), 200, 100);
  CHECK(set.size() == 100);
  set.Add("new", 5000, 150);  // within a minute of the last sweep: kept
  CHECK(set.size() == 101);
  set.Add("newer", 5000, 300);  // the old ones ran out at 200
  CHECK(set.size() == 2);
  CHECK(set.Contains("new", 300));
}

TEST_CASE("readers and writers on many threads see every revocation") {
  RevocationSet set;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&set, t] {
      for (int i = 0; i < 1000; ++i) {
        std::string id = "ses_" + std::to_string(t) + "_" + std::to_string(i);
        set.Add(id, 10000, 100);
        CHECK(set.Contains(id, 100));
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(set.size() == 4000);
}

}  // namespace
}  // namespace cairn::auth
