// Record batch headers: reading one (what the log does for every batch it
// appends, indexes or recovers), walking a buffer of many batches by their
// lengths (recovery and fetch-range scans), and header + CRC check of a
// 1,000-record batch (what produce validation costs before the records are
// parsed).

#include <benchmark/benchmark.h>

#include <vector>

#include "bench_batches.h"
#include "conveyor/protocol/record_batch_header.h"

namespace conveyor::protocol {
namespace {

void BM_ReadBatchHeader(benchmark::State& state) {
  const auto batch = bench::make_batch(10, 100);
  for (auto _ : state) {
    auto header = read_batch_header(batch);
    benchmark::DoNotOptimize(header);
  }
}
BENCHMARK(BM_ReadBatchHeader);

// 1,000 small batches back to back, walked header by header.
void BM_WalkBatches(benchmark::State& state) {
  constexpr int kBatches = 1000;
  std::vector<std::uint8_t> segment;
  for (int i = 0; i < kBatches; ++i) {
    auto batch = bench::make_batch(5, 50);
    set_base_offset(batch, static_cast<std::int64_t>(i) * 5);
    segment.insert(segment.end(), batch.begin(), batch.end());
  }
  for (auto _ : state) {
    std::size_t pos = 0;
    std::int64_t next_offset = 0;
    while (pos < segment.size()) {
      const auto header = read_batch_header(std::span<const std::uint8_t>(segment).subspan(pos));
      if (!header) {
        state.SkipWithError("bad batch");
        return;
      }
      next_offset = header->next_offset();
      pos += header->size_in_bytes();
    }
    benchmark::DoNotOptimize(next_offset);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kBatches);
}
BENCHMARK(BM_WalkBatches);

void BM_ReadBatchHeaderAndCheckCrc1000Records(benchmark::State& state) {
  constexpr int kRecords = 1000;
  const auto batch = bench::make_batch(kRecords, 20);
  for (auto _ : state) {
    auto header = read_batch_header(batch);
    benchmark::DoNotOptimize(header);
    benchmark::DoNotOptimize(batch_crc_matches(batch));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kRecords);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * batch.size()));
}
BENCHMARK(BM_ReadBatchHeaderAndCheckCrc1000Records);

}  // namespace
}  // namespace conveyor::protocol
