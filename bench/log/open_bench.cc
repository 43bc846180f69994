// Start-up with many partitions: LogManager::start, then open 1,000
// partition logs (one segment of 10 small batches each). Target: < 1 s.
//   Args(threads, clean): 1 or 2 opening threads (the broker opens each
//   shard's partitions on its own thread); clean 1 after a clean shutdown
//   (index checks only), 0 after a crash (the last segment of each log is
//   scanned from the recovery point).
// Closing the logs between iterations (fsyncs, checkpoints) is not timed.

#include <benchmark/benchmark.h>

#include <memory>
#include <thread>
#include <vector>

#include "batch_builder.h"
#include "bench_support.h"
#include "conveyor/log/log_files.h"
#include "conveyor/log/log_manager.h"

namespace conveyor::log {
namespace {

using bench::BenchDir;
using bench::kNow;
using conveyor::testing::BatchBuilder;

constexpr int kPartitions = 1000;

LogConfig small_config() {
  LogConfig c;
  c.segment_index_bytes = 1 << 20;  // preallocated (sparse) while open, like Kafka's 10 MiB default
  return c;
}

class ManyPartitions {
 public:
  static ManyPartitions& get() {
    static ManyPartitions partitions;
    return partitions;
  }
  const std::filesystem::path& log_dir() const { return dir_.path(); }

 private:
  ManyPartitions() {
    LogManager manager({dir_.path()}, nullptr);
    if (!manager.start()) return;
    const auto batch = BatchBuilder().records(10).value_size(100).timestamp(kNow).build();
    for (int p = 0; p < kPartitions; ++p) {
      auto log = manager.open("bench", p, small_config());
      if (!log) continue;
      for (int i = 0; i < 10; ++i) {
        auto bytes = batch;
        (void)(*log)->append(bytes, 0, kNow);
      }
    }
  }
  BenchDir dir_;
};

void BM_OpenPartitions(benchmark::State& state) {
  const auto& root = ManyPartitions::get().log_dir();
  const auto threads = static_cast<int>(state.range(0));
  const bool clean = state.range(1) != 0;
  for (auto _ : state) {
    state.PauseTiming();
    if (!clean) {
      for (int p = 0; p < kPartitions; ++p) {
        std::filesystem::remove(files::clean_shutdown_path(root / files::partition_dir_name("bench", p)));
      }
    }
    std::vector<std::unique_ptr<PartitionLog>> logs(kPartitions);
    state.ResumeTiming();

    LogManager manager({root}, nullptr);
    if (!manager.start()) state.SkipWithError("start failed");
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        for (int p = t; p < kPartitions; p += threads) {
          auto log = manager.open("bench", p, small_config());
          if (log) logs[static_cast<std::size_t>(p)] = std::move(*log);
        }
      });
    }
    for (auto& w : workers) w.join();

    state.PauseTiming();
    for (const auto& log : logs) {
      if (!log) state.SkipWithError("open failed");
    }
    logs.clear();  // clean close of every log
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kPartitions);
}
BENCHMARK(BM_OpenPartitions)
    ->Args({1, 1})
    ->Args({2, 1})
    ->Args({1, 0})
    ->Iterations(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace conveyor::log
