// The rate limiter under a key-spraying load (issue 5): memory used by
// 1,000,000 distinct client keys and the time per check, measured through the
// limiter's own API, in one process with nothing else in it. `make bench`
// builds it from the same objects as the server and bench/run.sh runs it.
//
// Phases, each timed:
//   fill    1,000,000 new keys ("ip:10.x.y.z"), one check each, on one thread;
//           heap bytes per key from mallinfo2 and VmRSS before and after;
//   hit     1,000,000 checks of keys already held, in a scattered order
//           (a multiplicative walk, so the CPU cache does not help);
//   spray   RATE_LIMIT_MAX_KEYS more new keys beyond the cap: each is counted
//           in its shard's overflow bucket; held keys and memory must not move;
//   2 threads  the hit phase again on two threads at once (sharded locks).
// Exit status 1 if the limiter holds more keys than its cap or its memory
// grows during the spray: those are properties, not figures.
//
// Usage: limiter_keys [KEYS]   (default 1000000, the default cap)

#include <malloc.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "ratelimit/limiter.h"
#include "ratelimit/rules.h"
#include "util/clock.h"

namespace {

using cairn::ratelimit::Bucket;
using cairn::ratelimit::Limiter;
using cairn::ratelimit::Rules;
using Steady = std::chrono::steady_clock;

long RssKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

size_t HeapBytes() { return mallinfo2().uordblks; }

// "ip:10.a.b.c" for key number i (i < 2^24 per /8; beyond that the first
// octet moves on), written into buf without allocating.
std::string_view KeyOf(uint32_t i, char* buf) {
  int n = std::snprintf(buf, 32, "ip:%u.%u.%u.%u", 10 + (i >> 24), (i >> 16) & 255,
                        (i >> 8) & 255, i & 255);
  return {buf, static_cast<size_t>(n)};
}

// Checks keys first, first+stride, … (mod count) starting at offset `first`;
// returns how many were allowed.
size_t Walk(Limiter& limiter, const Rules& rules, uint32_t base, uint32_t count, uint32_t n,
            uint32_t first) {
  char buf[32];
  size_t allowed = 0;
  // 2654435761 is odd and count is a power of ten: the walk visits distinct
  // keys in an order with no locality.
  uint64_t k = first;
  for (uint32_t i = 0; i < n; ++i) {
    k = (k + 2654435761u) % count;
    Bucket b{KeyOf(base + static_cast<uint32_t>(k), buf), &rules};
    allowed += limiter.Check(&b, 1).allowed ? 1 : 0;
  }
  return allowed;
}

double NsPer(Steady::duration d, size_t n) {
  return std::chrono::duration<double, std::nano>(d).count() / static_cast<double>(n);
}

}  // namespace

int main(int argc, char** argv) {
  uint32_t keys = argc > 1 ? static_cast<uint32_t>(std::strtoul(argv[1], nullptr, 10)) : 1'000'000;
  if (keys < 1000 || keys > 50'000'000) {
    std::fprintf(stderr, "usage: limiter_keys [KEYS]  (1000 to 50000000)\n");
    return 2;
  }
  // The anonymous rule: 100 per 15 minutes keeps every bucket live for the run.
  auto rules = cairn::ratelimit::ParseRules("100/15m");
  if (!rules.ok()) return 2;
  Limiter::Options opts;
  opts.max_keys = keys;
  Limiter limiter(opts, cairn::SystemClock::Get());

  // The formatting of a key is part of every phase; measured alone to subtract.
  char buf[32];
  auto t0 = Steady::now();
  size_t sink = 0;
  for (uint32_t i = 0; i < keys; ++i) sink += KeyOf(i, buf).size();
  double format_ns = NsPer(Steady::now() - t0, keys);

  long rss0 = RssKb();
  size_t heap0 = HeapBytes();
  t0 = Steady::now();
  size_t allowed = Walk(limiter, *rules, 0, keys, keys, 0);
  double fill_ns = NsPer(Steady::now() - t0, keys) - format_ns;
  long rss1 = RssKb();
  size_t heap1 = HeapBytes();
  size_t held = limiter.size();

  t0 = Steady::now();
  size_t hit_allowed = Walk(limiter, *rules, 0, keys, keys, 12345);
  double hit_ns = NsPer(Steady::now() - t0, keys) - format_ns;

  // Beyond the cap: keys the limiter has never seen.
  uint64_t over0 = limiter.overflowed();
  t0 = Steady::now();
  size_t spray_allowed = Walk(limiter, *rules, keys, keys, keys, 0);
  double spray_ns = NsPer(Steady::now() - t0, keys) - format_ns;
  long rss2 = RssKb();
  size_t heap2 = HeapBytes();
  uint64_t overflowed = limiter.overflowed() - over0;

  // Two threads on the held keys at once.
  t0 = Steady::now();
  std::thread other([&] { sink += Walk(limiter, *rules, 0, keys, keys, 777); });
  sink += Walk(limiter, *rules, 0, keys, keys, 999);
  other.join();
  double both_s = std::chrono::duration<double>(Steady::now() - t0).count();

  double mib = 1024.0 * 1024.0;
  double heap_per_key = static_cast<double>(heap1 - heap0) / static_cast<double>(held);
  std::printf("limiter keys: %u distinct keys, cap %u, 64 shards, rule 100/15m\n", keys, keys);
  std::printf("  fill      %8.0f ns/check  (new keys; %zu allowed, %zu held)\n", fill_ns, allowed,
              held);
  std::printf("  memory    heap +%.1f MiB (%.1f bytes/key), VmRSS %.1f -> %.1f MiB\n",
              static_cast<double>(heap1 - heap0) / mib, heap_per_key, rss0 / 1024.0,
              rss1 / 1024.0);
  std::printf("  hit       %8.0f ns/check  (held keys, scattered; %zu allowed)\n", hit_ns,
              hit_allowed);
  std::printf("  spray     %8.0f ns/check  (%u new keys over the cap: %zu allowed, %llu "
              "overflowed, %zu held)\n",
              spray_ns, keys, spray_allowed, static_cast<unsigned long long>(overflowed),
              limiter.size());
  std::printf("  spray     heap %+.1f MiB, VmRSS %.1f MiB after\n",
              (static_cast<double>(heap2) - static_cast<double>(heap1)) / mib, rss2 / 1024.0);
  std::printf("  2 threads %8.0f checks/s  (held keys, scattered; %.0f ns/check each thread)\n",
              2.0 * keys / both_s, both_s * 1e9 / keys - format_ns);
  std::printf("  format    %8.0f ns/key subtracted from each figure (sink %zu)\n", format_ns,
              sink % 10);

  bool ok = true;
  if (limiter.size() > keys) {
    std::printf("FAIL: %zu keys held, over the cap of %u\n", limiter.size(), keys);
    ok = false;
  }
  if (heap2 > heap1 + heap1 / 100) {
    std::printf("FAIL: the spray beyond the cap grew the heap by %zu bytes\n", heap2 - heap1);
    ok = false;
  }
  return ok ? 0 : 1;
}
