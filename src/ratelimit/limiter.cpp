#include "ratelimit/limiter.h"

#include <sodium.h>

#include <algorithm>
#include <chrono>

#include "util/log.h"

namespace cairn::ratelimit {

namespace {

constexpr int64_t kNsPerS = 1'000'000'000;

int64_t CeilSeconds(int64_t ns) { return ns <= 0 ? 0 : (ns + kNsPerS - 1) / kNsPerS; }

// One rule's arithmetic. T: the emission interval W/N; a request passes when
// the bucket's TAT is at most W - T ahead of now.
struct Gcra {
  int64_t window_ns;
  int64_t interval_ns;
  explicit Gcra(const Rule& r)
      : window_ns(r.window_s * kNsPerS), interval_ns(std::max<int64_t>(1, window_ns / r.count)) {}
  int64_t Start(int64_t tat, int64_t now) const { return std::max(tat, now); }
  bool Passes(int64_t tat, int64_t now) const {
    return Start(tat, now) + interval_ns - now <= window_ns;
  }
};

}  // namespace

Limiter::Limiter(Options opts, const Clock& clock)
    : opts_(opts),
      clock_(clock),
      shards_(new Shard[std::max<size_t>(1, opts.shards)]) {
  crypto_shorthash_keygen(hash_key_);
}

uint64_t Limiter::Hash(std::string_view key) const {
  uint64_t h = 0;
  crypto_shorthash(reinterpret_cast<unsigned char*>(&h),
                   reinterpret_cast<const unsigned char*>(key.data()), key.size(), hash_key_);
  return h;
}

void Limiter::Sweep(Shard& shard, int64_t now_ns) {
  shard.last_sweep_ns = now_ns;
  for (auto it = shard.entries.begin(); it != shard.entries.end();) {
    const Entry& e = it->second;
    bool spent = std::all_of(std::begin(e.tat), std::end(e.tat),
                             [now_ns](int64_t tat) { return tat <= now_ns; });
    if (spent) {
      it = shard.entries.erase(it);
      live_.fetch_sub(1, std::memory_order_relaxed);
    } else {
      ++it;
    }
  }
}

Limiter::Entry* Limiter::Find(Shard& shard, uint64_t hash, int64_t now_ns, bool* overflowed) {
  *overflowed = false;
  auto it = shard.entries.find(hash);
  if (it != shard.entries.end()) return &it->second;
  if (live_.load(std::memory_order_relaxed) >= opts_.max_keys &&
      now_ns - shard.last_sweep_ns >= kNsPerS) {
    Sweep(shard, now_ns);
  }
  // The cap is on the whole table, not per shard: hashing spreads keys
  // unevenly, and a per-shard quota would turn some new keys away while the
  // table still had room. Claimed before inserting, so shards racing for the
  // last places cannot together exceed it.
  if (live_.fetch_add(1, std::memory_order_relaxed) >= opts_.max_keys) {
    live_.fetch_sub(1, std::memory_order_relaxed);
    *overflowed = true;
    return &shard.overflow;
  }
  return &shard.entries[hash];
}

Decision Limiter::Check(const Bucket* buckets, size_t n) {
  int64_t now =
      std::chrono::duration_cast<std::chrono::nanoseconds>(clock_.Now().time_since_epoch()).count();
  size_t nshards = std::max<size_t>(1, opts_.shards);
  uint64_t hashes[2];
  size_t shard_of[2];
  n = std::min<size_t>(n, 2);
  for (size_t i = 0; i < n; ++i) {
    hashes[i] = Hash(buckets[i].key);
    shard_of[i] = hashes[i] % nshards;
  }
  // Both shards locked, in index order, so two checks cannot deadlock.
  std::unique_lock<std::mutex> first(
      shards_[n > 1 ? std::min(shard_of[0], shard_of[1]) : shard_of[0]].mu);
  std::unique_lock<std::mutex> second;
  if (n > 1 && shard_of[0] != shard_of[1]) {
    second = std::unique_lock<std::mutex>(shards_[std::max(shard_of[0], shard_of[1])].mu);
  }

  Entry* entries[2];
  for (size_t i = 0; i < n; ++i) {
    bool overflowed = false;
    entries[i] = Find(shards_[shard_of[i]], hashes[i], now, &overflowed);
    if (overflowed) overflowed_.fetch_add(1, std::memory_order_relaxed);
  }

  Decision d;
  bool have_tightest = false;
  for (size_t i = 0; i < n; ++i) {
    const Rules& rules = *buckets[i].rules;
    for (size_t r = 0; r < rules.size() && r < kMaxRules; ++r) {
      Gcra g(rules[r]);
      int64_t tat = entries[i]->tat[r];
      if (!g.Passes(tat, now)) {
        int64_t wait = CeilSeconds(g.Start(tat, now) + g.interval_ns - g.window_ns - now);
        if (d.allowed || wait > d.retry_after_s) {
          d.allowed = false;
          d.retry_after_s = std::max<int64_t>(1, wait);
          d.limit = rules[r].count;
          d.window_s = rules[r].window_s;
          d.remaining = 0;
          d.reset_s = CeilSeconds(g.Start(tat, now) - now);
          d.bucket = i;
        }
        continue;
      }
      if (!d.allowed) continue;
      int64_t next = g.Start(tat, now) + g.interval_ns;
      int64_t remaining = (g.window_ns - (next - now)) / g.interval_ns;
      if (!have_tightest || remaining < d.remaining ||
          (remaining == d.remaining && rules[r].count < d.limit)) {
        have_tightest = true;
        d.limit = rules[r].count;
        d.window_s = rules[r].window_s;
        d.remaining = remaining;
        d.reset_s = CeilSeconds(next - now);
        d.bucket = i;
      }
    }
  }

  for (size_t i = 0; i < n; ++i) {
    Entry& e = *entries[i];
    if (!d.allowed) {
      d.first_refusal = d.first_refusal || !e.refused;
      e.refused = true;
      continue;
    }
    e.refused = false;
    const Rules& rules = *buckets[i].rules;
    for (size_t r = 0; r < rules.size() && r < kMaxRules; ++r) {
      Gcra g(rules[r]);
      e.tat[r] = g.Start(e.tat[r], now) + g.interval_ns;
    }
  }
  return d;
}

size_t Limiter::size() const { return live_.load(std::memory_order_relaxed); }

uint64_t Limiter::overflowed() const { return overflowed_.load(std::memory_order_relaxed); }

}  // namespace cairn::ratelimit
