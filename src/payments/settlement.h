#pragma once

// The settlement worker: a background thread that asks the bank, about
// twice a second, which processing payments are due and records their
// outcomes (Transactions::SettleDue). It keeps no state of its own: what is
// due lives in the database, so a payment left processing by a crash or a
// restart is settled on the next pass, and each is settled in its own
// transaction, once.
//
// The destructor stops the thread (waiting for the pass in progress).

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "payments/transactions.h"

namespace cairn::payments {

class SettlementWorker {
 public:
  SettlementWorker(Transactions& transactions, std::chrono::milliseconds interval);
  ~SettlementWorker();
  SettlementWorker(const SettlementWorker&) = delete;
  SettlementWorker& operator=(const SettlementWorker&) = delete;

 private:
  void Run();

  Transactions& transactions_;
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;     // last: starts once the members above exist
};

}  // namespace cairn::payments
