// Encoding a Fetch response for 100 partitions (10 topics x 10), the
// response header included. Two shapes:
//   - file records: each partition's records are a 64 KiB range of a segment
//     file; the writer only notes where to splice it (sendfile), so this
//     measures the header and per-partition framing alone;
//   - memory records: each partition carries a 1 KiB in-memory batch, which
//     the writer copies inline (below its splice threshold).

#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "alloc_counter.h"
#include "bench_batches.h"
#include "conveyor/protocol/api_registry.h"
#include "conveyor/protocol/messages/response_header.h"

namespace conveyor::protocol {
namespace {

constexpr std::int16_t kFetchVersion = 12;  // librdkafka 2.x and Java clients' first flexible
constexpr int kTopics = 10;
constexpr int kPartitionsPerTopic = 10;

FetchResponse make_fetch_response(const Records& records_for_each) {
  FetchResponse response;
  response.session_id = 7;
  for (int t = 0; t < kTopics; ++t) {
    auto& topic = response.responses.emplace_back();
    topic.topic = "bench-topic-" + std::to_string(t);
    for (int p = 0; p < kPartitionsPerTopic; ++p) {
      auto& partition = topic.partitions.emplace_back();
      partition.partition_index = p;
      partition.high_watermark = 1'000'000 + p;
      partition.last_stable_offset = 1'000'000 + p;
      partition.log_start_offset = 0;
      partition.records = records_for_each;
    }
  }
  return response;
}

void encode_loop(benchmark::State& state, const FetchResponse& response) {
  ResponseHeader header;
  header.correlation_id = 42;
  const auto header_version = response_header_version(1, kFetchVersion);
  bench::AllocationCounter allocations;
  for (auto _ : state) {
    Writer w(4096);
    if (header.encode(w, header_version) != ProtocolError::none ||
        response.encode(w, kFetchVersion) != ProtocolError::none) {
      state.SkipWithError("encode failed");
      break;
    }
    benchmark::DoNotOptimize(w.size());
    benchmark::DoNotOptimize(w.external().data());
  }
  allocations.report(state);
  state.counters["partitions"] = kTopics * kPartitionsPerTopic;
  state.counters["ns/partition"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * kTopics * kPartitionsPerTopic,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_FetchResponseEncode100PartitionsFileRecords(benchmark::State& state) {
  auto file = std::make_shared<const FileHandle>();
  const Records slice = Records::file(FileSlice{file, 4096, 64 << 10});
  encode_loop(state, make_fetch_response(slice));
}
BENCHMARK(BM_FetchResponseEncode100PartitionsFileRecords);

void BM_FetchResponseEncode100PartitionsMemoryRecords(benchmark::State& state) {
  auto batch = std::make_shared<std::vector<std::uint8_t>>(bench::make_batch(10, 80));
  const Records view = Records::view(*batch, batch);
  state.counters["batch_bytes"] = static_cast<double>(batch->size());
  encode_loop(state, make_fetch_response(view));
}
BENCHMARK(BM_FetchResponseEncode100PartitionsMemoryRecords);

}  // namespace
}  // namespace conveyor::protocol
