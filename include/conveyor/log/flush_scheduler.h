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
// request, and of every earlier request, has been made durable; it receives
// the request's end offset, or -1 when a sync failed (the data may not be
// durable: the log must be treated as offline, KAFKA_STORAGE_ERROR).
// Callbacks must be short: post back to the owning shard.
//
// Overwrites (log.preallocate): a target that carries a Preallocation and a
// byte range lying wholly in blocks whose allocation is already durable needs
// no metadata, only its data on the device and a cache flush after it. Such
// ranges are written back first (sync_file_range, all started before any is
// waited for); then one of them per device is fdatasync'd together with the
// files that need a full fdatasync, and that fdatasync's cache flush covers
// the writes that completed before it. So a round over N preallocated
// partitions costs N data writes and one flush instead of N journal commits.
// The zeros a shard asks for ahead of its data are written and made durable
// off the rounds, by a background thread (instantiate()).
//
// Holding requests back (Hold): a produce to three partitions of a shard asks
// for three flushes in a row. The first wakes the flusher, whose round then
// starts before the other two are queued, so the request's acknowledgement
// waits for two rounds (two fdatasyncs). A Hold alive on the calling thread
// keeps that thread's requests back and queues them together, with one
// wake-up, when the outermost Hold ends. It must not span a co_await: the
// thread would hold back other coroutines' requests until it resumed.
//
// Threading: request_flush may be called from any thread (the queue has the
// only mutex; the append path never takes it). Lifecycle: owned by the
// broker (main.cc), outliving every log. stop() (or the destructor) finishes
// the queued rounds; requests after stop() are flushed on the caller's thread.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "conveyor/base/file_handle.h"
#include "conveyor/log/flush_carriers.h"
#include "conveyor/log/flush_target.h"
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

  // Queues one request: make `targets` durable, then call `done(end_offset)`.
  void request_flush(std::vector<FlushTarget> targets, std::int64_t end_offset, Callback done);
  // The same with a full fdatasync of each file.
  void request_flush(std::vector<std::shared_ptr<const FileHandle>> files, std::int64_t end_offset,
                     Callback done);
  // Writes the zeros `preallocation` wants and makes them durable, in the
  // background; later rounds can then treat writes there as overwrites.
  void instantiate(std::shared_ptr<Preallocation> preallocation);

  // Scope guard: this thread's request_flush calls (to any FlushScheduler)
  // are queued when the outermost Hold is destroyed, each scheduler's with
  // one lock and at most one wake-up, in the order they were made.
  class Hold {
   public:
    Hold();
    ~Hold();
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;
  };

  // Counters for tests and metrics.
  std::uint64_t request_count() const;
  std::uint64_t round_count() const;
  std::uint64_t sync_count() const;  // fdatasync calls of the rounds
  std::uint64_t overwrite_count()
      const;  // ranges written back as overwrites, without their own fdatasync
  std::uint64_t instantiation_count() const;  // background fdatasyncs of zeros written ahead

 private:
  struct Request {
    std::vector<FlushTarget> targets;
    std::int64_t end_offset = 0;
    Callback done;
  };
  struct HeldRequests;
  static HeldRequests& held();
  // Queues `requests` in order (one lock, a wake-up if the flusher waits).
  void enqueue(std::vector<Request> requests);
  void run();
  void flush_round(std::vector<Request>& batch);
  void run_instantiations();

  ParallelSync syncer_;     // the round's files are fdatasync'd concurrently
  FlushCarriers carriers_;  // used by the flushing thread only
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Request> pending_;
  bool started_ = false;
  bool stopping_ = false;
  bool stopped_ = false;
  std::uint64_t requests_ = 0;
  std::uint64_t rounds_ = 0;
  std::uint64_t syncs_ = 0;
  std::uint64_t overwrites_ = 0;
  std::thread thread_;

  // The background instantiations (their own thread: writing and syncing a
  // few MiB of zeros must hold up neither a round nor a shard).
  std::mutex instantiate_mutex_;
  std::condition_variable instantiate_wake_;
  std::vector<std::shared_ptr<Preallocation>> to_instantiate_;
  bool instantiate_stopping_ = false;
  std::atomic<std::uint64_t> instantiations_{0};
  std::thread instantiator_;
};

}  // namespace conveyor::log
