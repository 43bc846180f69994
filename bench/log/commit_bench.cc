// Durable appends under 64 concurrent appenders, one partition: fdatasync per
// request versus group commit through the FlushScheduler. Each appender
// thread stands for a producer with acks=all: it appends a 1 KiB batch, then
// waits until that batch is durable, 64 of them at once. A mutex stands for
// the shard thread that owns the log (appends are serialised, as in the
// broker). Reported: durable appends/s (real time) and the p50/p99 latency
// from the append call to the acknowledgement.
//
//   serial       fdatasync per request on the shard: append then
//                request_flush with no FlushScheduler (the flush runs inline),
//                both under the mutex — what a broker that fsyncs each
//                request on its own thread would do.
//   per_request  after its append (outside the mutex) each appender calls
//                fdatasync on the active segment itself: one fdatasync per
//                request, issued concurrently (ext4 lets concurrent
//                fdatasyncs share a journal commit, so this is the kernel
//                grouping them).
//   group        the appender calls request_flush under the mutex and waits
//                for the callback; the flusher thread runs one fdatasync per
//                round for every request queued during the previous one.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <latch>
#include <mutex>
#include <thread>
#include <vector>

#include "batch_builder.h"
#include "bench_support.h"
#include "conveyor/log/disk_log.h"
#include "conveyor/log/file_io.h"
#include "conveyor/log/flush_scheduler.h"

namespace conveyor::log {
namespace {

using bench::BenchDir;
using bench::bench_config;
using bench::kNow;
using conveyor::testing::BatchBuilder;

constexpr int kAppenders = 64;

enum class Commit { serial, per_request, group };

void concurrent_appends(benchmark::State& state, Commit mode, int per_appender) {
  BenchDir dir;
  auto flusher = mode == Commit::group ? std::make_unique<FlushScheduler>() : nullptr;
  auto log = DiskLog::open(dir.path() / "t-0", bench_config(), flusher.get(), kNow).value();
  const auto prototype = BatchBuilder().records(1).value_size(1024).timestamp(kNow).build();
  std::mutex shard;
  std::vector<double> latencies_us;
  std::int64_t appends = 0;
  std::atomic<bool> failed{false};

  for (auto _ : state) {
    std::vector<std::vector<double>> per_thread(kAppenders);
    std::latch go(kAppenders);
    std::vector<std::thread> threads;
    threads.reserve(kAppenders);
    for (int t = 0; t < kAppenders; ++t) {
      threads.emplace_back([&, t] {
        auto& lat = per_thread[static_cast<std::size_t>(t)];
        lat.reserve(static_cast<std::size_t>(per_appender));
        go.arrive_and_wait();
        for (int i = 0; i < per_appender; ++i) {
          auto batch = prototype;
          const auto start = std::chrono::steady_clock::now();
          if (mode == Commit::group) {
            std::latch durable(1);
            {
              std::lock_guard lock(shard);
              if (!log->append(batch, 0, kNow)) failed = true;
              log->request_flush([&durable](std::int64_t) { durable.count_down(); });
            }
            durable.wait();
          } else if (mode == Commit::serial) {
            std::lock_guard lock(shard);
            if (!log->append(batch, 0, kNow)) failed = true;
            log->request_flush([&failed](std::int64_t durable) {
              if (durable < 0) failed = true;
            });
          } else {
            std::shared_ptr<const FileHandle> file;
            {
              std::lock_guard lock(shard);
              if (!log->append(batch, 0, kNow)) failed = true;
              file = log->segments().active().file();
            }
            if (!io::sync(file->fd())) failed = true;
          }
          lat.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
        }
      });
    }
    for (auto& thread : threads) thread.join();
    for (const auto& lat : per_thread) latencies_us.insert(latencies_us.end(), lat.begin(), lat.end());
    appends += static_cast<std::int64_t>(kAppenders) * per_appender;
  }
  if (failed) state.SkipWithError("append or fdatasync failed");
  std::sort(latencies_us.begin(), latencies_us.end());
  auto percentile = [&](double p) {
    if (latencies_us.empty()) return 0.0;
    const auto i = static_cast<std::size_t>(p * static_cast<double>(latencies_us.size() - 1));
    return latencies_us[i];
  };
  state.SetItemsProcessed(appends);
  state.counters["p50_us"] = percentile(0.50);
  state.counters["p99_us"] = percentile(0.99);
  if (flusher) {
    state.counters["appends_per_fsync"] =
        static_cast<double>(appends) / static_cast<double>(std::max<std::uint64_t>(flusher->round_count(), 1));
  }
}

void BM_DurableAppend64_FsyncPerRequestSerial(benchmark::State& state) {
  concurrent_appends(state, Commit::serial, 10);
}
BENCHMARK(BM_DurableAppend64_FsyncPerRequestSerial)->Iterations(3)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_DurableAppend64_FsyncPerRequest(benchmark::State& state) {
  concurrent_appends(state, Commit::per_request, 20);
}
BENCHMARK(BM_DurableAppend64_FsyncPerRequest)->Iterations(3)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_DurableAppend64_GroupCommit(benchmark::State& state) { concurrent_appends(state, Commit::group, 200); }
BENCHMARK(BM_DurableAppend64_GroupCommit)->Iterations(3)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace conveyor::log
