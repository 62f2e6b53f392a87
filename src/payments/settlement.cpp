#include "payments/settlement.h"

#include "util/log.h"

namespace cairn::payments {

namespace {

// Payments settled per pass at most; a backlog drains over several passes
// without holding the write lock for long.
constexpr size_t kBatch = 100;

}  // namespace

SettlementWorker::SettlementWorker(Transactions& transactions,
                                   std::chrono::milliseconds interval)
    : transactions_(transactions), interval_(interval), thread_([this] { Run(); }) {}

SettlementWorker::~SettlementWorker() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void SettlementWorker::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    Result<int> settled = transactions_.SettleDue(kBatch);
    if (!settled.ok()) {
      // The database is busy or failing; the next pass tries again.
      log::Warn("settlement_failed").Str("error", settled.status().message()).Emit();
    } else if (*settled > 0) {
      log::Info("payments_settled").Int("count", *settled).Emit();
    }
    lock.lock();
    bool full_batch = settled.ok() && *settled == static_cast<int>(kBatch);
    if (!full_batch) wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace cairn::payments
