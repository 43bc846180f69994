#pragma once
// ParallelSync: fdatasyncs a set of files at the same time instead of one
// after another. One group-commit round usually names several files (a
// produce request touches several partitions, each with its own active
// segment); on ext4 concurrent fdatasyncs share journal commits, so a round
// costs about one fsync's latency instead of one per file (measured: three
// 16 KiB files, 0.4 ms in parallel against 0.6-2.5 ms in sequence).
//
// A few worker threads wait for work; the calling thread syncs files too.
// Used only by the FlushScheduler's thread, so sync_all is not reentrant.

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

namespace conveyor::log {

class ParallelSync {
 public:
  explicit ParallelSync(std::size_t workers = 3);
  ~ParallelSync();
  ParallelSync(const ParallelSync&) = delete;
  ParallelSync& operator=(const ParallelSync&) = delete;

  // fdatasyncs every descriptor; true when all succeeded.
  bool sync_all(const std::vector<int>& fds);

 private:
  void work();
  // Takes descriptors from the current round until none is left.
  void drain();

  std::mutex mutex_;
  std::condition_variable start_;
  std::condition_variable finished_;
  const std::vector<int>* round_ = nullptr;
  std::size_t next_ = 0;     // next descriptor to take
  std::size_t pending_ = 0;  // descriptors not yet synced
  std::size_t generation_ = 0;
  bool ok_ = true;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace conveyor::log
