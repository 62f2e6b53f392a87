#pragma once

// A background worker: a thread that runs one pass of some job every
// interval, and again at once after a pass that found a full batch (a
// backlog drains without waiting). The settlement of payments and the
// dispatch of outbox events run this way. The job keeps its state in the
// database, so a pass cut short by a crash is simply done again by the next
// process.
//
// The destructor stops the thread, waiting for the pass in progress.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "util/status.h"

namespace cairn {

class Worker {
 public:
  // pass returns how much it did; `batch` is its most, when it found more.
  // A pass that Wake() asks for starts `gather` after it (sooner on stop),
  // so a burst of wakes makes one pass, not one each.
  using Pass = std::function<Result<int>()>;
  Worker(std::string name, std::chrono::milliseconds interval, int batch, Pass pass,
         std::chrono::milliseconds gather = std::chrono::milliseconds(0));
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Starts a pass now instead of at the end of the interval (after the one
  // in progress, if any). Thread-safe.
  void Wake();

 private:
  void Run();

  const std::string name_;
  const std::chrono::milliseconds interval_;
  const std::chrono::milliseconds gather_;
  const int batch_;
  const Pass pass_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  bool woken_ = false;     // guarded by mu_
  std::thread thread_;     // last: starts once the members above exist
};

}  // namespace cairn
