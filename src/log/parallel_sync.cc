#include "conveyor/log/parallel_sync.h"

#include "conveyor/log/file_io.h"

namespace conveyor::log {

ParallelSync::ParallelSync(std::size_t workers) {
  for (std::size_t i = 0; i < workers; ++i) workers_.emplace_back([this] { work(); });
}

ParallelSync::~ParallelSync() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  start_.notify_all();
  for (auto& worker : workers_) worker.join();
}

bool ParallelSync::sync_all(const std::vector<int>& fds) {
  if (fds.empty()) return true;
  if (fds.size() == 1 || workers_.empty()) {
    bool ok = true;
    for (const int fd : fds) ok = io::sync(fd) && ok;
    return ok;
  }
  {
    std::lock_guard lock(mutex_);
    round_ = &fds;
    next_ = 0;
    pending_ = fds.size();
    ok_ = true;
    ++generation_;
  }
  start_.notify_all();
  drain();
  std::unique_lock lock(mutex_);
  finished_.wait(lock, [this] { return pending_ == 0; });
  round_ = nullptr;
  return ok_;
}

void ParallelSync::drain() {
  for (;;) {
    int fd = -1;
    {
      std::lock_guard lock(mutex_);
      if (round_ == nullptr || next_ >= round_->size()) return;
      fd = (*round_)[next_++];
    }
    const bool ok = io::sync(fd);
    std::lock_guard lock(mutex_);
    ok_ = ok_ && ok;
    if (--pending_ == 0) finished_.notify_one();
  }
}

void ParallelSync::work() {
  std::size_t seen = 0;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      start_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
    }
    drain();
  }
}

}  // namespace conveyor::log
