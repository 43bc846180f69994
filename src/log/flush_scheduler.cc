#include "conveyor/log/flush_scheduler.h"

#include <algorithm>

#include "conveyor/log/file_io.h"

namespace conveyor::log {

FlushScheduler::FlushScheduler(bool start_now) {
  if (start_now) start();
}

FlushScheduler::~FlushScheduler() {
  stop();
}

void FlushScheduler::start() {
  std::lock_guard lock(mutex_);
  if (started_ || stopped_) return;
  started_ = true;
  thread_ = std::thread([this] { run(); });
}

void FlushScheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopping_ = true;
    if (!started_) {
      // Never started: run the queued requests here.
      started_ = true;
      thread_ = std::thread([this] { run(); });
    }
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::vector<Request> late;  // queued between the thread's last round and now
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    late.swap(pending_);
  }
  if (!late.empty()) flush_round(late);
}

void FlushScheduler::request_flush(std::vector<std::shared_ptr<const FileHandle>> files,
                                   std::int64_t end_offset, Callback done) {
  Request request{std::move(files), end_offset, std::move(done)};
  {
    std::lock_guard lock(mutex_);
    ++requests_;
    if (!stopped_) {
      pending_.push_back(std::move(request));
      wake_.notify_one();
      return;
    }
  }
  std::vector<Request> one;
  one.push_back(std::move(request));
  flush_round(one);
}

void FlushScheduler::run() {
  std::vector<Request> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      if (pending_.empty()) return;  // stopping, nothing left
      batch.swap(pending_);
    }
    flush_round(batch);
    batch.clear();
  }
}

void FlushScheduler::flush_round(std::vector<Request>& batch) {
  std::vector<const FileHandle*> files;
  for (const auto& request : batch) {
    for (const auto& file : request.files) {
      if (file && file->valid()) files.push_back(file.get());
    }
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  std::vector<int> fds;
  fds.reserve(files.size());
  for (const FileHandle* file : files) fds.push_back(file->fd());
  const bool ok = syncer_.sync_all(fds);
  {
    std::lock_guard lock(mutex_);
    ++rounds_;
    syncs_ += files.size();
  }
  for (auto& request : batch) {
    if (request.done) request.done(ok ? request.end_offset : -1);
  }
}

std::uint64_t FlushScheduler::request_count() const {
  std::lock_guard lock(mutex_);
  return requests_;
}
std::uint64_t FlushScheduler::round_count() const {
  std::lock_guard lock(mutex_);
  return rounds_;
}
std::uint64_t FlushScheduler::sync_count() const {
  std::lock_guard lock(mutex_);
  return syncs_;
}

}  // namespace conveyor::log
