#pragma once

// The in-memory rate limiter (API.md §8): GCRA buckets in a sharded,
// bounded table.
//
// GCRA (the generic cell rate algorithm) keeps one time per rule and key,
// the "theoretical arrival time" (TAT): a rule of N per W admits a request
// when TAT - now <= W - W/N, then moves TAT to max(TAT, now) + W/N. It is a
// sliding window without counters: a client can never double its quota at a
// window edge (a fixed window can: N at 0:59 and N at 1:00), it allows a
// burst of exactly N after a quiet period, and a bucket whose TAT has passed
// carries no information, so it can be dropped at any time without letting
// anyone reset a limit. That last property is what bounds memory.
//
// Exact under concurrency: a check reads and updates its keys under their
// shards' locks, every rule of every key of the request at once (all pass or
// nothing is counted). Keys are hashed with a per-process SipHash key, so a
// client cannot aim collisions at a shard.
//
// Bounded: at most max_keys live keys in all. When the table is full, a
// shard that meets a new key first drops its spent buckets (at most once a
// second); if there is still no room, the new key is counted in the shard's
// shared overflow bucket instead, which is as strict as the
// rule and shared by every key that did not fit. Existing keys are never
// evicted while their bucket holds information, so spraying new keys cannot
// reset anyone's limit, and memory stays at the cap. A restart forgets
// every bucket.
//
// Thread-safe.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ratelimit/rules.h"
#include "util/clock.h"

namespace cairn::ratelimit {

// One key of a request and the rules it is held to.
struct Bucket {
  std::string_view key;  // e.g. "ip:203.0.113.7", "user:usr_…"
  const Rules* rules;    // non-empty
};

// The outcome of a check, with what the response headers report: the
// tightest rule that applied (fewest requests left), or on refusal the rule
// that refused with the longest wait.
struct Decision {
  bool allowed = true;
  int64_t limit = 0;
  int64_t window_s = 0;
  int64_t remaining = 0;
  int64_t reset_s = 0;         // seconds until the tightest bucket is full again
  int64_t retry_after_s = 0;   // on refusal: seconds until a retry can pass
  bool first_refusal = false;  // the first refusal since this key last passed
  size_t bucket = 0;           // which bucket the figures above are of
};

class Limiter {
 public:
  struct Options {
    size_t max_keys = 1'000'000;
    size_t shards = 64;
  };
  Limiter(Options opts, const Clock& clock);
  Limiter(const Limiter&) = delete;
  Limiter& operator=(const Limiter&) = delete;

  // Counts one request against every bucket, or refuses it and counts
  // nothing. At most 2 buckets.
  Decision Check(const Bucket* buckets, size_t n);

  // Live keys held (for tests and the benchmark).
  size_t size() const;
  // Keys that found their shard full and were counted in its overflow
  // bucket since start.
  uint64_t overflowed() const;

 private:
  struct Entry {
    int64_t tat[kMaxRules] = {};  // nanoseconds since the epoch
    bool refused = false;         // refused since it last passed
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<uint64_t, Entry> entries;  // guarded by mu
    Entry overflow;                               // guarded by mu
    int64_t last_sweep_ns = 0;                    // guarded by mu
  };
  uint64_t Hash(std::string_view key) const;
  Entry* Find(Shard& shard, uint64_t hash, int64_t now_ns, bool* overflowed);
  void Sweep(Shard& shard, int64_t now_ns);

  const Options opts_;
  const Clock& clock_;
  unsigned char hash_key_[16];
  std::unique_ptr<Shard[]> shards_;
  std::atomic<size_t> live_{0};  // keys in all shards' tables
  std::atomic<uint64_t> overflowed_{0};
};

}  // namespace cairn::ratelimit
