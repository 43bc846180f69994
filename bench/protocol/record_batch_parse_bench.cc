// Parsing the records of a batch — what produce validation (validate_batch),
// ListOffsets by time and message-format conversion pay per record. Target
// (issue 2): under 20 ns per record for small uncompressed records.
// Compressed variants show what decompression adds.

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "conveyor/protocol/record_batch.h"

namespace conveyor::protocol {
namespace {

std::vector<std::uint8_t> thousand_records(CompressionType codec) {
  RecordBatchBuilder builder;
  builder.set_compression(codec);
  std::vector<std::string> keys, values;
  for (int i = 0; i < 1000; ++i) {
    keys.push_back("key-" + std::to_string(i));
    values.push_back(std::string(100, static_cast<char>('a' + i % 26)));
  }
  for (int i = 0; i < 1000; ++i) {
    const auto* key = reinterpret_cast<const std::uint8_t*>(keys[static_cast<std::size_t>(i)].data());
    const auto* value = reinterpret_cast<const std::uint8_t*>(values[static_cast<std::size_t>(i)].data());
    builder.add(1'700'000'000'000 + i, BytesView(key, keys[static_cast<std::size_t>(i)].size()),
                BytesView(value, values[static_cast<std::size_t>(i)].size()));
  }
  auto built = builder.build();
  if (!built) throw std::runtime_error("cannot build the benchmark batch");
  return std::move(built.value());
}

// Reads every record (RecordBatch::read) of a 1,000-record batch.
void BM_ReadRecords(benchmark::State& state) {
  const auto codec = static_cast<CompressionType>(state.range(0));
  const auto batch = thousand_records(codec);
  ReadOptions options;
  options.max_decompressed = 64u << 20;
  for (auto _ : state) {
    auto read = RecordBatch::read(batch, options);
    benchmark::DoNotOptimize(read);
  }
  state.SetItemsProcessed(state.iterations() * 1000);
  state.SetLabel(codec == CompressionType::none ? "none" : "compressed");
}
BENCHMARK(BM_ReadRecords)->Arg(0)->Arg(3)->Arg(4);

// validate_batch: CRC, then every record — the produce path's check.
void BM_ValidateBatch(benchmark::State& state) {
  const auto codec = static_cast<CompressionType>(state.range(0));
  const auto batch = thousand_records(codec);
  for (auto _ : state) {
    auto valid = validate_batch(batch, 64u << 20);
    benchmark::DoNotOptimize(valid);
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_ValidateBatch)->Arg(0)->Arg(1)->Arg(2)->Arg(3)->Arg(4);

}  // namespace
}  // namespace conveyor::protocol
