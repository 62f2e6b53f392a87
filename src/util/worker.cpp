#include "util/worker.h"

#include "util/log.h"

namespace cairn {

Worker::Worker(std::string name, std::chrono::milliseconds interval, int batch, Pass pass,
               std::chrono::milliseconds gather)
    : name_(std::move(name)),
      interval_(interval),
      gather_(gather),
      batch_(batch),
      pass_(std::move(pass)),
      thread_([this] { Run(); }) {}

Worker::~Worker() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Worker::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
  }
  wake_.notify_all();
}

void Worker::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    woken_ = false;
    lock.unlock();
    Result<int> done = pass_();
    if (!done.ok()) {
      // The database is busy or failing; the next pass tries again.
      log::Warn("worker_pass_failed")
          .Str("worker", name_)
          .Str("error", done.status().message())
          .Emit();
    } else if (*done > 0) {
      log::Info("worker_pass").Str("worker", name_).Int("done", *done).Emit();
    }
    lock.lock();
    bool backlog = done.ok() && *done >= batch_;
    if (!backlog) {
      wake_.wait_for(lock, interval_, [this] { return stopping_ || woken_; });
      if (woken_ && gather_.count() > 0) wake_.wait_for(lock, gather_, [this] { return stopping_; });
    }
  }
}

}  // namespace cairn
