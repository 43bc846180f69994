#include "conveyor/log/flush_scheduler.h"

#include <algorithm>

#include "conveyor/log/file_io.h"
#include "conveyor/log/round_sync.h"

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
  instantiator_ = std::thread([this] { run_instantiations(); });
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
  {
    std::lock_guard lock(instantiate_mutex_);
    instantiate_stopping_ = true;
  }
  instantiate_wake_.notify_all();
  if (instantiator_.joinable()) instantiator_.join();
  std::vector<Request> late;  // queued between the thread's last round and now
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    late.swap(pending_);
  }
  if (!late.empty()) flush_round(late);
}

struct FlushScheduler::HeldRequests {
  int depth = 0;
  std::vector<std::pair<FlushScheduler*, Request>> requests;
};

FlushScheduler::HeldRequests& FlushScheduler::held() {
  thread_local HeldRequests held;
  return held;
}

FlushScheduler::Hold::Hold() {
  ++held().depth;
}

FlushScheduler::Hold::~Hold() {
  HeldRequests& h = held();
  if (--h.depth > 0) return;
  auto requests = std::move(h.requests);
  h.requests.clear();
  // Usually all for one scheduler: hand each its requests in one go.
  while (!requests.empty()) {
    FlushScheduler* scheduler = requests.front().first;
    std::vector<Request> mine;
    std::vector<std::pair<FlushScheduler*, Request>> others;
    for (auto& [target, request] : requests) {
      if (target == scheduler)
        mine.push_back(std::move(request));
      else
        others.emplace_back(target, std::move(request));
    }
    scheduler->enqueue(std::move(mine));
    requests = std::move(others);
  }
}

void FlushScheduler::request_flush(std::vector<FlushTarget> targets, std::int64_t end_offset,
                                   Callback done) {
  Request request{std::move(targets), end_offset, std::move(done)};
  if (HeldRequests& h = held(); h.depth > 0) {
    h.requests.emplace_back(this, std::move(request));
    return;
  }
  std::vector<Request> one;
  one.push_back(std::move(request));
  enqueue(std::move(one));
}

void FlushScheduler::enqueue(std::vector<Request> requests) {
  {
    std::lock_guard lock(mutex_);
    requests_ += requests.size();
    if (!stopped_) {
      const bool was_empty = pending_.empty();
      for (auto& request : requests) pending_.push_back(std::move(request));
      // Only a flusher waiting for work needs waking (one wake-up per
      // round, not per request; it takes every request when it wakes).
      if (was_empty && !pending_.empty()) wake_.notify_one();
      return;
    }
  }
  flush_round(requests);
}

void FlushScheduler::request_flush(std::vector<std::shared_ptr<const FileHandle>> files,
                                   std::int64_t end_offset, Callback done) {
  std::vector<FlushTarget> targets;
  targets.reserve(files.size());
  for (auto& file : files) targets.push_back(FlushTarget::whole(std::move(file)));
  request_flush(std::move(targets), end_offset, std::move(done));
}

void FlushScheduler::instantiate(std::shared_ptr<Preallocation> preallocation) {
  {
    std::lock_guard lock(instantiate_mutex_);
    if (instantiate_stopping_) return;  // only a speed-up: nothing is lost by dropping it
    if (std::find(to_instantiate_.begin(), to_instantiate_.end(), preallocation) !=
        to_instantiate_.end())
      return;
    to_instantiate_.push_back(std::move(preallocation));
  }
  instantiate_wake_.notify_one();
}

void FlushScheduler::run_instantiations() {
  for (;;) {
    std::vector<std::shared_ptr<Preallocation>> work;
    {
      std::unique_lock lock(instantiate_mutex_);
      instantiate_wake_.wait(lock,
                             [this] { return instantiate_stopping_ || !to_instantiate_.empty(); });
      if (instantiate_stopping_) return;
      work.swap(to_instantiate_);
    }
    for (const auto& preallocation : work) {
      // A failed zero write only ends the speed-up; what was written is still synced.
      [[maybe_unused]] const bool zeroed = preallocation->write_ahead();
      const auto ticket = preallocation->begin_sync();
      const int fd = preallocation->file()->fd();
      // Zeros go to the device a slice at a time, each written back before
      // the next is started: a few MiB queued at once would hold up the
      // rounds' cache flushes behind them for milliseconds. The fdatasync at
      // the end then only commits the allocation.
      constexpr std::uint64_t kSlice = 256 * 1024;
      bool ok = true;
      for (std::uint64_t from = preallocation->durable(); ok && from < ticket.zeroed;
           from += kSlice) {
        ok = io::wait_writeback(fd, from, std::min(from + kSlice, ticket.zeroed));
      }
      ok = ok && io::sync(fd);
      preallocation->end_sync(ticket, ok);
      instantiations_.fetch_add(1, std::memory_order_relaxed);
    }
  }
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
  std::vector<const FlushTarget*> targets;
  for (const auto& request : batch) {
    for (const auto& target : request.targets) targets.push_back(&target);
  }
  RoundSyncCounts counts;
  const bool ok = sync_round(targets, syncer_, carriers_, counts);
  {
    std::lock_guard lock(mutex_);
    ++rounds_;
    syncs_ += counts.fdatasyncs;
    overwrites_ += counts.overwrites;
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

std::uint64_t FlushScheduler::overwrite_count() const {
  std::lock_guard lock(mutex_);
  return overwrites_;
}
std::uint64_t FlushScheduler::instantiation_count() const {
  return instantiations_.load(std::memory_order_relaxed);
}

}  // namespace conveyor::log
