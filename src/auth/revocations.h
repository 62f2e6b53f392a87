#pragma once

// Session ids whose access tokens must fail before they expire (logout,
// revocation, token reuse). Held in memory so every authenticated request can
// check it without a database read; loaded from the sessions table at start,
// so a restart does not resurrect revoked tokens. An entry is kept until no
// access token naming it can still be unexpired.
//
// Thread-safe: readers share a lock, writers take it alone.

#include <cstdint>
#include <shared_mutex>
#include <string>
#include <unordered_map>

namespace cairn::auth {

class RevocationSet {
 public:
  // Marks sid revoked until `until` (Unix seconds); now is the current time,
  // used to drop entries that have run out.
  void Add(const std::string& sid, int64_t until, int64_t now);
  bool Contains(const std::string& sid, int64_t now) const;
  size_t size() const;

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, int64_t> until_;  // guarded by mu_
  int64_t next_prune_ = 0;                           // guarded by mu_
};

}  // namespace cairn::auth
