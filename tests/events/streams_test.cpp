#include "events/streams.h"

#include <doctest/doctest.h>

#include <chrono>
#include <thread>

namespace cairn::events {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST_CASE("streams are capped per user and in total, and a closed one frees its place") {
  EventStreams streams({3, 2});
  auto a1 = streams.Open("usr_a");
  auto a2 = streams.Open("usr_a");
  REQUIRE(a1.ok());
  REQUIRE(a2.ok());
  auto a3 = streams.Open("usr_a");
  CHECK(a3.status().code() == Code::kUnavailable);
  auto b1 = streams.Open("usr_b");
  REQUIRE(b1.ok());
  CHECK(streams.Open("usr_c").status().code() == Code::kUnavailable);
  CHECK(streams.open_count() == 3);
  a1.value().reset();
  CHECK(streams.open_count() == 2);
  CHECK(streams.Open("usr_c").ok());  // opened and released at once
  CHECK(streams.Open("usr_a").ok());
}

TEST_CASE("a publish wakes the streams of that user only, and each publish once") {
  EventStreams streams({10, 5});
  auto a = streams.Open("usr_a");
  auto b = streams.Open("usr_b");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  streams.Publish({"usr_a"});
  CHECK(streams.Wait(**a, Clock::now() + 1s) == EventStreams::Wake::kEvents);
  // Seen: the next wait times out.
  CHECK(streams.Wait(**a, Clock::now() + 20ms) == EventStreams::Wake::kTimeout);
  CHECK(streams.Wait(**b, Clock::now() + 20ms) == EventStreams::Wake::kTimeout);

  // A publish while waiting wakes the waiter at once.
  auto start = Clock::now();
  std::thread later([&streams] {
    std::this_thread::sleep_for(50ms);
    streams.Publish({"usr_b", "usr_nobody"});
  });
  CHECK(streams.Wait(**b, Clock::now() + 5s) == EventStreams::Wake::kEvents);
  CHECK(Clock::now() - start < 2s);
  later.join();
}

TEST_CASE("close wakes every stream and refuses new ones") {
  EventStreams streams({10, 5});
  auto a = streams.Open("usr_a");
  REQUIRE(a.ok());
  std::thread closer([&streams] {
    std::this_thread::sleep_for(50ms);
    streams.Close();
  });
  CHECK(streams.Wait(**a, Clock::now() + 5s) == EventStreams::Wake::kClosed);
  closer.join();
  CHECK(streams.Open("usr_b").status().code() == Code::kUnavailable);
}

}  // namespace
}  // namespace cairn::events
