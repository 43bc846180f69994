// Group commit: many flush requests share fdatasync calls; callbacks run after
// the data is synced, with the durable end offset; flush.messages / flush.ms
// ask for flushes from append. Synchronisation is by latches, never sleeps:
// a scheduler created unstarted queues requests, start() then runs them.

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <latch>
#include <mutex>
#include <thread>

#include "conveyor/log/disk_log.h"
#include "conveyor/log/file_io.h"
#include "conveyor/log/flush_scheduler.h"
#include "log_test_support.h"

namespace conveyor::log {
namespace {

using testing::BatchBuilder;
using testing::temp_file;
using testing::TempDir;

constexpr std::int64_t kNow = 1'700'000'000'000;

TEST(FlushScheduler, ManyRequestsFromManyThreadsShareOneSyncPerFile) {
  TempDir dir;
  const auto a = temp_file(dir, "a"), b = temp_file(dir, "b");
  FlushScheduler flusher(/*start=*/false);
  constexpr int kThreads = 4, kPerThread = 25;
  std::latch done(kThreads * kPerThread);
  std::atomic<std::int64_t> sum{0};
  std::atomic<std::thread::id> callback_thread{};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        flusher.request_flush({a, b}, t * 1000 + i, [&](std::int64_t end) {
          sum += end;
          callback_thread = std::this_thread::get_id();
          done.count_down();
        });
      }
    });
  }
  for (auto& thread : threads) thread.join();
  flusher.start();
  done.wait();
  EXPECT_EQ(flusher.request_count(), 100u);
  EXPECT_EQ(flusher.round_count(), 1u);
  EXPECT_EQ(flusher.sync_count(), 2u);  // one per distinct file, for 100 requests
  std::int64_t expected = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) expected += t * 1000 + i;
  }
  EXPECT_EQ(sum.load(), expected);
  EXPECT_NE(callback_thread.load(), std::this_thread::get_id());
}

TEST(FlushScheduler, StopFinishesQueuedRequestsAndLaterOnesRunInline) {
  TempDir dir;
  const auto a = temp_file(dir, "a");
  int called = 0;
  {
    FlushScheduler flusher(false);
    flusher.request_flush({a}, 5, [&](std::int64_t end) { called += end == 5; });
    flusher.stop();
    EXPECT_EQ(called, 1);
    flusher.request_flush({a}, 6, [&](std::int64_t end) { called += end == 6; });
    EXPECT_EQ(called, 2);
  }
}

TEST(FlushScheduler, RequestsMadeUnderAHoldShareOneRoundOfARunningFlusher) {
  // A running flusher wakes on the first request it sees; requests held on
  // this thread reach it together, so they cannot be split over rounds.
  TempDir dir;
  const auto a = temp_file(dir, "a"), b = temp_file(dir, "b"), c = temp_file(dir, "c");
  FlushScheduler flusher;
  std::latch done(3);
  std::vector<std::int64_t> ends;
  std::mutex ends_mutex;
  auto record = [&](std::int64_t end) {
    {
      std::lock_guard lock(ends_mutex);
      ends.push_back(end);
    }
    done.count_down();
  };
  {
    FlushScheduler::Hold outer;
    {
      FlushScheduler::Hold inner;  // nested: only the outermost releases
      flusher.request_flush({a}, 1, record);
      flusher.request_flush({b}, 2, record);
    }
    flusher.request_flush({c}, 3, record);
    EXPECT_EQ(flusher.request_count(), 0u);  // nothing queued yet
  }
  done.wait();
  EXPECT_EQ(flusher.request_count(), 3u);
  EXPECT_EQ(flusher.round_count(), 1u);
  EXPECT_EQ(ends, (std::vector<std::int64_t>{1, 2, 3}));  // in the order made
}

TEST(FlushScheduler, LogsShareSyncRoundsAndReportTheirEndOffsets) {
  TempDir dir;
  FlushScheduler flusher(false);
  LogConfig config;
  std::vector<std::unique_ptr<DiskLog>> logs;
  for (int p = 0; p < 3; ++p)
    logs.push_back(DiskLog::open(dir / ("t-" + std::to_string(p)), config, &flusher, kNow).value());
  constexpr int kAppends = 10;
  std::latch done(3 * kAppends);
  std::vector<std::atomic<std::int64_t>> durable(3);
  for (int i = 0; i < kAppends; ++i) {
    for (int p = 0; p < 3; ++p) {
      auto bytes = BatchBuilder().records(2).build();
      ASSERT_TRUE(logs[p]->append(bytes, 0, kNow));
      logs[p]->request_flush([&, p](std::int64_t end) {
        std::int64_t seen = durable[p].load();
        while (seen < end && !durable[p].compare_exchange_weak(seen, end)) {
        }
        done.count_down();
      });
    }
  }
  flusher.start();
  done.wait();
  EXPECT_EQ(flusher.request_count(), 30u);
  EXPECT_EQ(flusher.round_count(), 1u);
  EXPECT_LE(flusher.sync_count(), 6u);  // per log: its segment file and its directory
  for (int p = 0; p < 3; ++p) {
    EXPECT_EQ(durable[p].load(), 2 * kAppends);
    EXPECT_EQ(logs[p]->recovery_point(), 2 * kAppends);
  }
}

TEST(FlushScheduler, FlushCoversSegmentsRolledSinceTheLastFlush) {
  TempDir dir;
  FlushScheduler flusher;
  LogConfig config;
  config.segment_bytes = 300;
  auto log = DiskLog::open(dir / "t-0", config, &flusher, kNow).value();
  for (int i = 0; i < 5; ++i) {
    auto bytes = BatchBuilder().value_size(150).build();
    ASSERT_TRUE(log->append(bytes, 0, kNow));
  }
  ASSERT_GT(log->segment_count(), 2u);
  std::promise<std::int64_t> promise;
  log->request_flush([&](std::int64_t end) { promise.set_value(end); });
  EXPECT_EQ(promise.get_future().get(), 5);
  EXPECT_EQ(log->recovery_point(), 5);
  // Each rolled segment: log + 2 indexes; the active: log; plus the directory.
  EXPECT_EQ(flusher.sync_count(), 3 * (log->segment_count() - 1) + 1 + 1);
}

TEST(FlushScheduler, FlushMessagesAndFlushMsRequestFlushesFromAppend) {
  TempDir dir;
  FlushScheduler flusher(false);
  LogConfig config;
  config.flush_messages = 10;
  auto log = DiskLog::open(dir / "t-0", config, &flusher, kNow).value();
  for (int i = 0; i < 25; ++i) {
    auto bytes = BatchBuilder().build();
    ASSERT_TRUE(log->append(bytes, 0, kNow));
  }
  EXPECT_EQ(flusher.request_count(), 2u);

  config.flush_messages = INT64_MAX;
  config.flush_ms = 100;
  log->update_config(config);
  auto append_at = [&](std::int64_t now) {
    auto bytes = BatchBuilder().build();
    ASSERT_TRUE(log->append(bytes, 0, now));
  };
  append_at(kNow + 50);
  EXPECT_EQ(flusher.request_count(), 2u);
  append_at(kNow + 100);
  EXPECT_EQ(flusher.request_count(), 3u);
  append_at(kNow + 150);
  EXPECT_EQ(flusher.request_count(), 3u);
  append_at(kNow + 200);
  EXPECT_EQ(flusher.request_count(), 4u);
  flusher.start();
  flusher.stop();
  EXPECT_EQ(log->recovery_point(), 29);
}

}  // namespace
}  // namespace conveyor::log
