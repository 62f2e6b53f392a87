#include "auth/revocations.h"

#include <mutex>

namespace cairn::auth {

void RevocationSet::Add(const std::string& sid, int64_t until, int64_t now) {
  std::unique_lock lock(mu_);
  int64_t& slot = until_[sid];
  if (until > slot) slot = until;
  // Entries past their time can go; sweeping at most once a minute keeps
  // Add cheap while the set stays as small as the live revocations.
  if (now < next_prune_) return;
  next_prune_ = now + 60;
  for (auto it = until_.begin(); it != until_.end();) {
    it = it->second < now ? until_.erase(it) : std::next(it);
  }
}

bool RevocationSet::Contains(const std::string& sid, int64_t now) const {
  std::shared_lock lock(mu_);
  auto it = until_.find(sid);
  return it != until_.end() && it->second >= now;
}

size_t RevocationSet::size() const {
  std::shared_lock lock(mu_);
  return until_.size();
}

}  // namespace cairn::auth
