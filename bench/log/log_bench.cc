// Log engine benchmarks: append throughput to the page cache (1 KiB-record
// batches and 1 MiB batches), append with group commit, offset lookup in a
// large segment, and recovery scan speed. Logs live under $TMPDIR.

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <latch>

#include "batch_builder.h"
#include "conveyor/log/disk_log.h"
#include "conveyor/log/flush_scheduler.h"
#include "conveyor/log/log_files.h"

namespace conveyor::log {
namespace {

using conveyor::testing::BatchBuilder;
constexpr std::int64_t kNow = 1'700'000'000'000;

class BenchDir {
 public:
  BenchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "conveyor-bench-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~BenchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

LogConfig bench_config() {
  LogConfig config;
  config.segment_bytes = 256 << 20;
  config.max_message_bytes = 2 << 20;  // room for the 1 MiB batches
  return config;
}

// Appends one batch of `records` records with `value_size`-byte values per iteration.
void append_batches(benchmark::State& state, int records, std::size_t value_size) {
  BenchDir dir;
  auto log = DiskLog::open(dir.path() / "t-0", bench_config(), nullptr, kNow).value();
  const auto prototype = BatchBuilder().records(records).value_size(value_size).timestamp(kNow).build();
  auto batch = prototype;
  std::int64_t bytes = 0;
  for (auto _ : state) {
    auto r = log->append(batch, 0, kNow);
    if (!r) {
      state.SkipWithError(to_string(r.error()));
      break;
    }
    bytes += static_cast<std::int64_t>(batch.size());
    if (log->size_in_bytes() > (1LL << 30)) {
      state.PauseTiming();
      log->close();
      log->remove();
      log = DiskLog::open(dir.path() / "t-0", bench_config(), nullptr, kNow).value();
      state.ResumeTiming();
    }
  }
  state.SetBytesProcessed(bytes);
  state.SetItemsProcessed(state.iterations());
}

void BM_Append1KiBRecordBatch(benchmark::State& state) {
  append_batches(state, static_cast<int>(state.range(0)), 1024);
}
BENCHMARK(BM_Append1KiBRecordBatch)->Arg(1)->Arg(16);

void BM_Append1MiBBatch(benchmark::State& state) { append_batches(state, 1, 1 << 20); }
BENCHMARK(BM_Append1MiBBatch);

// Appends then asks for a flush, `state.range(0)` requests per group commit
// round: the cost per acknowledged append under group commit.
void BM_AppendWithGroupCommit(benchmark::State& state) {
  BenchDir dir;
  FlushScheduler flusher;
  auto log = DiskLog::open(dir.path() / "t-0", bench_config(), &flusher, kNow).value();
  const auto prototype = BatchBuilder().records(1).value_size(1024).timestamp(kNow).build();
  auto batch = prototype;
  const auto per_round = state.range(0);
  for (auto _ : state) {
    std::latch done(per_round);
    for (std::int64_t i = 0; i < per_round; ++i) {
      auto r = log->append(batch, 0, kNow);
      benchmark::DoNotOptimize(r);
      log->request_flush([&done](std::int64_t) { done.count_down(); });
    }
    done.wait();
  }
  state.SetItemsProcessed(state.iterations() * per_round);
  state.counters["fsyncs"] = static_cast<double>(flusher.sync_count());
}
BENCHMARK(BM_AppendWithGroupCommit)->Arg(1)->Arg(64)->UseRealTime();

// Reads one batch at a pseudo-random offset of a 256 MiB segment.
void BM_ReadLookup(benchmark::State& state) {
  BenchDir dir;
  auto log = DiskLog::open(dir.path() / "t-0", bench_config(), nullptr, kNow).value();
  const auto prototype = BatchBuilder().records(1).value_size(1024).timestamp(kNow).build();
  while (log->size_in_bytes() < (200 << 20)) {
    auto batch = prototype;
    if (!log->append(batch, 0, kNow)) state.SkipWithError("append failed");
  }
  const std::int64_t end = log->log_end_offset();
  std::uint64_t x = 88172645463325252ULL;
  for (auto _ : state) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    auto r = log->read(static_cast<std::int64_t>(x % static_cast<std::uint64_t>(end)), 1, true);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReadLookup);

// Full recovery scan (CRC of every batch, index rebuild) of a 256 MiB segment.
void BM_RecoveryScan(benchmark::State& state) {
  BenchDir dir;
  {
    auto log = DiskLog::open(dir.path() / "t-0", bench_config(), nullptr, kNow).value();
    const auto prototype = BatchBuilder().records(4).value_size(1024).timestamp(kNow).build();
    while (log->size_in_bytes() < (250 << 20)) {
      auto batch = prototype;
      if (!log->append(batch, 0, kNow)) state.SkipWithError("append failed");
    }
  }
  std::int64_t bytes = 0;
  for (auto _ : state) {
    std::filesystem::remove(files::clean_shutdown_path(dir.path() / "t-0"));
    std::filesystem::remove(files::checkpoint_path(dir.path() / "t-0"));
    auto log = DiskLog::open(dir.path() / "t-0", bench_config(), nullptr, kNow).value();
    bytes += log->size_in_bytes();
    benchmark::DoNotOptimize(log);
  }
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_RecoveryScan)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace conveyor::log
