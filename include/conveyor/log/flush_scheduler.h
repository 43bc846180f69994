#pragma once
// FlushScheduler: group commit for every log of the broker. One background
// thread makes appended data durable: each round it takes *all* requests
// queued so far, fdatasyncs every distinct file they name once, then runs
// their callbacks. Requests that arrive while a round is syncing wait for the
// next round, so N concurrent appenders cost about one fdatasync per file per
// round instead of N.
//
//   shard threads ──request_flush(files, end, done)──▶ [queue] ──▶ flusher thread
//                                                                   fdatasync each file once
//                                                                   done(end) for each request
//
// Guarantees: a callback runs on the flusher thread after every file of its
// request, and of every earlier request, has been fdatasync'd; it receives the
// request's end offset, or -1 when an fdatasync failed (the data may not be
// durable: the log must be treated as offline, KAFKA_STORAGE_ERROR).
// Callbacks must be short: post back to the owning shard.
//
// Threading: request_flush may be called from any thread (the queue has the
// only mutex; the append path never takes it). Lifecycle: owned by the
// broker (main.cc), outliving every log. stop() (or the destructor) finishes
// the queued rounds; requests after stop() are flushed on the caller's thread.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "conveyor/base/file_handle.h"
#include "conveyor/log/parallel_sync.h"

namespace conveyor::log {

class FlushScheduler {
 public:
  using Callback = std::function<void(std::int64_t durable_end_offset)>;

  // `start` false leaves the thread unstarted until start(): tests queue
  // requests first to observe grouping deterministically.
  explicit FlushScheduler(bool start = true);
  ~FlushScheduler();
  FlushScheduler(const FlushScheduler&) = delete;
  FlushScheduler& operator=(const FlushScheduler&) = delete;

  void start();
  void stop();

  // Queues one request: make `files` durable, then call `done(end_offset)`.
  void request_flush(std::vector<std::shared_ptr<const FileHandle>> files, std::int64_t end_offset,
                     Callback done);

  // Counters for tests and metrics.
  std::uint64_t request_count() const;
  std::uint64_t round_count() const;
  std::uint64_t sync_count() const;  // fdatasync calls

 private:
  struct Request {
    std::vector<std::shared_ptr<const FileHandle>> files;
    std::int64_t end_offset = 0;
    Callback done;
  };
  void run();
  void flush_round(std::vector<Request>& batch);

  ParallelSync syncer_;  // the round's files are fdatasync'd concurrently
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Request> pending_;
  bool started_ = false;
  bool stopping_ = false;
  bool stopped_ = false;
  std::uint64_t requests_ = 0;
  std::uint64_t rounds_ = 0;
  std::uint64_t syncs_ = 0;
  std::thread thread_;
};

}  // namespace conveyor::log
