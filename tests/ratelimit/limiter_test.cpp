#include "ratelimit/limiter.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <string>
#include <thread>
#include <vector>

namespace cairn::ratelimit {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const TimePoint kStart = TimePoint(seconds(1'800'000'000));

Decision One(Limiter& l, const std::string& key, const Rules& rules) {
  Bucket b{key, &rules};
  return l.Check(&b, 1);
}

TEST_CASE("a burst of exactly N passes, the next is refused with the wait until a slot") {
  FakeClock clock(kStart);
  Limiter l({}, clock);
  Rules rules{{10, 60}};
  for (int i = 0; i < 10; ++i) {
    Decision d = One(l, "ip:a", rules);
    REQUIRE(d.allowed);
    CHECK(d.limit == 10);
    CHECK(d.window_s == 60);
    CHECK(d.remaining == 9 - i);
  }
  Decision d = One(l, "ip:a", rules);
  CHECK_FALSE(d.allowed);
  CHECK(d.remaining == 0);
  CHECK(d.retry_after_s == 6);  // one slot every 60/10 s
  CHECK(d.first_refusal);
  CHECK_FALSE(One(l, "ip:a", rules).first_refusal);  // once per episode
  // Another key is untouched.
  CHECK(One(l, "ip:b", rules).remaining == 9);
}

TEST_CASE("the window edge gives no second burst: refill is one slot per interval") {
  FakeClock clock(kStart);
  Limiter l({}, clock);
  Rules rules{{10, 60}};
  clock.Advance(seconds(59));  // just before a fixed window would roll over
  for (int i = 0; i < 10; ++i) REQUIRE(One(l, "k", rules).allowed);
  clock.Advance(seconds(2));  // past the edge: a fixed window would allow 10 more
  CHECK_FALSE(One(l, "k", rules).allowed);
  clock.Advance(seconds(4));  // 6 s after the burst: exactly one slot back
  CHECK(One(l, "k", rules).allowed);
  CHECK_FALSE(One(l, "k", rules).allowed);
  clock.Advance(seconds(60));  // a quiet window refills fully, no more
  int passed = 0;
  while (One(l, "k", rules).allowed) ++passed;
  CHECK(passed == 10);
}

TEST_CASE("over any 60 s span, at most N + (span / interval) pass") {
  FakeClock clock(kStart);
  Limiter l({}, clock);
  Rules rules{{5, 60}};
  int passed = 0;
  for (int t = 0; t < 600; ++t) {  // a request every 100 ms for a minute
    if (One(l, "k", rules).allowed) ++passed;
    clock.Advance(milliseconds(100));
  }
  CHECK(passed == 5 + 4);  // the burst, then one every 12 s for 59.9 s
}

TEST_CASE("two rules: the tighter one reports, and either can refuse") {
  FakeClock clock(kStart);
  Limiter l({}, clock);
  Rules rules{{3, 60}, {5, 3600}};
  Decision d = One(l, "u", rules);
  CHECK(d.limit == 3);
  CHECK(d.remaining == 2);
  for (int i = 0; i < 2; ++i) REQUIRE(One(l, "u", rules).allowed);
  CHECK_FALSE(One(l, "u", rules).allowed);  // the minute rule
  clock.Advance(seconds(60));
  REQUIRE(One(l, "u", rules).allowed);
  d = One(l, "u", rules);
  REQUIRE(d.allowed);
  CHECK(d.limit == 5);  // now the hour rule has fewer left
  CHECK(d.remaining == 0);
  clock.Advance(seconds(60));
  d = One(l, "u", rules);
  CHECK_FALSE(d.allowed);  // the hour rule refuses though the minute one would pass
  CHECK(d.limit == 5);
  CHECK(d.retry_after_s > 60);
}

TEST_CASE("a refused request counts nothing in any of its buckets") {
  FakeClock clock(kStart);
  Limiter l({}, clock);
  Rules user{{100, 60}};
  Rules payments{{2, 60}};
  Bucket both[2] = {{"user:a", &user}, {"pay:a", &payments}};
  REQUIRE(l.Check(both, 2).allowed);
  REQUIRE(l.Check(both, 2).allowed);
  Decision d = l.Check(both, 2);
  CHECK_FALSE(d.allowed);
  CHECK(d.bucket == 1);
  for (int i = 0; i < 5; ++i) CHECK_FALSE(l.Check(both, 2).allowed);
  // The user bucket saw only the two that passed.
  CHECK(One(l, "user:a", user).remaining == 100 - 3);
}

TEST_CASE("64 threads at once against 10 per minute: exactly 10 pass") {
  FakeClock clock(kStart);
  Limiter l({}, clock);
  Rules rules{{10, 60}};
  std::latch start(64);
  std::atomic<int> passed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 64; ++i) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      if (One(l, "ip:shared", rules).allowed) passed.fetch_add(1);
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(passed.load() == 10);
}

TEST_CASE("the key cap holds; spent buckets go first; spraying cannot reset a live key") {
  FakeClock clock(kStart);
  Limiter l({1000, 4}, clock);
  Rules rules{{3, 60}};
  for (int i = 0; i < 3; ++i) REQUIRE(One(l, "victim", rules).allowed);
  REQUIRE_FALSE(One(l, "victim", rules).allowed);
  // An attacker sprays 100 000 fresh keys.
  for (int i = 0; i < 100'000; ++i) (void)One(l, "spray:" + std::to_string(i), rules);
  CHECK(l.size() == 1000);  // the whole cap is used, however unevenly keys hash
  CHECK(l.overflowed() == 100'000 + 1 - 1000);
  CHECK_FALSE(One(l, "victim", rules).allowed);  // still limited
  // Once buckets are spent (a full window later) they are swept for new keys.
  clock.Advance(seconds(61));
  CHECK(One(l, "newcomer", rules).remaining == 2);
  CHECK(One(l, "victim", rules).allowed);
}

TEST_CASE("keys that overflow share one strict bucket") {
  FakeClock clock(kStart);
  Limiter l({4, 1}, clock);  // one shard of four keys
  Rules rules{{2, 60}};
  for (int i = 0; i < 4; ++i) REQUIRE(One(l, "k" + std::to_string(i), rules).allowed);
  CHECK(One(l, "extra1", rules).allowed);
  CHECK(One(l, "extra2", rules).allowed);
  CHECK_FALSE(One(l, "extra3", rules).allowed);  // the overflow bucket is spent
  CHECK(l.size() == 4);
}

}  // namespace
}  // namespace cairn::ratelimit
