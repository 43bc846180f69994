// Log engine benchmarks, single partition, one thread: append throughput to
// the page cache (1 KiB and 1 MiB batches), the idempotent producer check
// each append of a producer-id batch adds, offset lookup in a full 1 GiB
// segment (and in a segment whose files were released), and the recovery
// scan of a 1 GiB unflushed segment. Group commit
// is in commit_bench.cc, opening 1,000 partitions in open_bench.cc.

#include <benchmark/benchmark.h>
#include <fcntl.h>

#include <memory>

#include "batch_builder.h"
#include "bench_support.h"
#include "conveyor/log/disk_log.h"
#include "conveyor/log/log_files.h"
#include "conveyor/log/producer_state.h"

namespace conveyor::log {
namespace {

using bench::BenchDir;
using bench::bench_config;
using bench::kNow;
using conveyor::testing::BatchBuilder;

// Appends one batch of `records` records with `value_size`-byte values per
// iteration; the log is deleted and recreated (untimed) every 1 GiB.
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
      log->remove();
      log = DiskLog::open(dir.path() / "t-0", bench_config(), nullptr, kNow).value();
      state.ResumeTiming();
    }
  }
  state.SetBytesProcessed(bytes);
  state.SetItemsProcessed(state.iterations());
}

// Target: >= 400,000 appends/s with 1 KiB batches (Arg 1: one 1 KiB record;
// Arg 16: 16 of them, ~17 KiB, a typical producer batch).
void BM_Append1KiBRecordBatch(benchmark::State& state) {
  append_batches(state, static_cast<int>(state.range(0)), 1024);
}
BENCHMARK(BM_Append1KiBRecordBatch)->Arg(1)->Arg(16);

// Target: >= 1.5 GB/s with 1 MiB batches.
void BM_Append1MiBBatch(benchmark::State& state) { append_batches(state, 1, 1 << 20); }
BENCHMARK(BM_Append1MiBBatch);

// The sequence check and state update of one idempotent batch (issue 6:
// idempotence must cost <= 5% of produce throughput), in a partition that
// knows `range(0)` producers; round robin over them, each continuing its
// sequence. Compare with BM_Append1KiBRecordBatch: this is added to it.
void BM_ProducerStateCheck(benchmark::State& state) {
  const auto producers = static_cast<std::int64_t>(state.range(0));
  ProducerStateTable table;
  std::vector<std::int32_t> next_sequence(static_cast<std::size_t>(producers), 0);
  protocol::RecordBatchHeader header;
  header.producer_epoch = 0;
  header.last_offset_delta = 9;
  header.record_count = 10;
  header.max_timestamp = kNow;
  std::int64_t offset = 0;
  std::int64_t producer = 0;
  for (auto _ : state) {
    header.producer_id = producer;
    auto& sequence = next_sequence[static_cast<std::size_t>(producer)];
    header.base_sequence = sequence;
    ProducerAppend append(table);
    auto checked = append.add(header, offset);
    if (!checked || checked.value()) {
      state.SkipWithError("unexpected verdict");
      break;
    }
    std::move(append).commit(table);
    sequence += 10;
    offset += 10;
    producer = producer + 1 == producers ? 0 : producer + 1;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ProducerStateCheck)->Arg(1)->Arg(1000);

// One segment of (just under) 1 GiB, 4 KiB batches (4 records of 1 KiB),
// built once and shared by the lookup and recovery benchmarks; removed at exit.
class FullSegment {
 public:
  static FullSegment& get() {
    static FullSegment segment;
    return segment;
  }
  std::filesystem::path log_dir() const { return dir_.path() / "t-0"; }
  static LogConfig config() {
    LogConfig c = bench_config();
    c.segment_bytes = 1LL << 30;
    return c;
  }

 private:
  FullSegment() {
    auto log = DiskLog::open(log_dir(), config(), nullptr, kNow).value();
    const auto prototype = BatchBuilder().records(4).value_size(1024).timestamp(kNow).build();
    while (log->size_in_bytes() + static_cast<std::int64_t>(prototype.size()) <= (1LL << 30)) {
      auto batch = prototype;
      if (!log->append(batch, 0, kNow)) break;
    }
    log->close();  // fdatasync'd, so the recovery benchmark can evict it from the page cache
  }
  BenchDir dir_;
};

std::uint64_t next_random(std::uint64_t& x) {
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return x;
}

// Target: < 1 µs. The index alone: binary search of the memory-mapped
// offset index (~262,000 entries) for a random offset.
void BM_OffsetIndexLookup1GiB(benchmark::State& state) {
  auto log = DiskLog::open(FullSegment::get().log_dir(), FullSegment::config(), nullptr, kNow).value();
  const Segment& segment = log->segments().active();
  state.counters["segment_MiB"] = static_cast<double>(segment.size()) / (1 << 20);
  state.counters["index_entries"] = static_cast<double>(segment.offset_index().entries());
  const auto end = static_cast<std::uint64_t>(log->log_end_offset());
  std::uint64_t x = 88172645463325252ULL;
  for (auto _ : state) {
    auto entry = segment.offset_index().lookup(static_cast<std::int64_t>(next_random(x) % end));
    benchmark::DoNotOptimize(entry);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OffsetIndexLookup1GiB);

// One-batch reads at random offsets below `end`, one per iteration.
void read_at_random_offsets(benchmark::State& state, DiskLog& log, std::int64_t end) {
  std::uint64_t x = 88172645463325252ULL;
  for (auto _ : state) {
    auto r = log.read(static_cast<std::int64_t>(next_random(x) % static_cast<std::uint64_t>(end)), 1, true);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

// What a fetch pays to find its start: DiskLog::read at a random offset —
// index search, then pread of the batch headers from the index entry on
// (page cache), returning one batch as a file range.
void BM_ReadLookup1GiB(benchmark::State& state) {
  auto log = DiskLog::open(FullSegment::get().log_dir(), FullSegment::config(), nullptr, kNow).value();
  read_at_random_offsets(state, *log, log->log_end_offset());
}
BENCHMARK(BM_ReadLookup1GiB);

// The same lookup when the segment's files were released
// (log.segments.open.max): a catch-up read of an old segment pays the reopen
// (open of the log, open and mmap of both indexes) and the release of the
// least recently used one. 64 segments of 1 MiB, one kept open; reads
// alternate between random segments, so nearly every read reopens one.
void BM_ReadLookupReleasedSegment(benchmark::State& state) {
  BenchDir dir;
  LogConfig config = bench_config();
  config.segment_bytes = 1 << 20;
  config.segments_open_max = 1;
  auto log = DiskLog::open(dir.path() / "t-0", config, nullptr, kNow).value();
  const auto batch = BatchBuilder().records(4).value_size(1024).timestamp(kNow).build();
  while (log->segment_count() < 65) {
    auto copy = batch;
    if (!log->append(copy, 0, kNow)) {
      state.SkipWithError("append failed");
      return;
    }
  }
  // Each roll released all but one closed segment; reads stay below the active one.
  read_at_random_offsets(state, *log, log->segments().active().base_offset());
}
BENCHMARK(BM_ReadLookupReleasedSegment);

// Target: < 2 s. Open after a crash with nothing flushed (no checkpoint, no
// clean marker): every batch of the 1 GiB segment is read, CRC-checked and
// indexed. Arg 0: the segment is in the page cache (the kill -9 case);
// Arg 1: evicted first with posix_fadvise(DONTNEED) (power loss, cold disk).
void BM_RecoveryScan1GiB(benchmark::State& state) {
  const auto dir = FullSegment::get().log_dir();
  const bool cold = state.range(0) != 0;
  std::int64_t bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove(files::clean_shutdown_path(dir));
    std::filesystem::remove(files::checkpoint_path(dir));
    if (cold) {
      const int fd = ::open(files::log_path(dir, 0).c_str(), O_RDONLY | O_CLOEXEC);
      if (fd >= 0) {
        ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        ::close(fd);
      }
    }
    state.ResumeTiming();
    auto log = DiskLog::open(dir, FullSegment::config(), nullptr, kNow).value();
    state.PauseTiming();
    if (log->recovery_stats().segments_recovered != 1) state.SkipWithError("the segment was not scanned");
    bytes += log->size_in_bytes();
    log.reset();  // closes cleanly (untimed)
    state.ResumeTiming();
  }
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_RecoveryScan1GiB)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(2)->UseRealTime();

}  // namespace
}  // namespace conveyor::log
