// A Produce request carrying one 1 MiB batch: decoding the frame (header +
// body; the records stay a view into the frame), the same plus the CRC check
// the broker makes before appending, and encoding it (the records are
// referenced, not copied).

#include <benchmark/benchmark.h>

#include <memory>

#include "alloc_counter.h"
#include "bench_batches.h"
#include "conveyor/protocol/api_registry.h"
#include "conveyor/protocol/messages/request_header.h"

namespace conveyor::protocol {
namespace {

constexpr std::int16_t kProduceVersion = 9;  // the first flexible version

struct ProduceFrame {
  std::shared_ptr<std::vector<std::uint8_t>> batch;
  RequestHeader header;
  ProduceRequest request;
  std::shared_ptr<std::vector<std::uint8_t>> bytes;  // header + body, no size prefix
};

// About 1 MiB: 1024 records of 1000-byte values, plus their framing.
ProduceFrame make_produce_frame() {
  ProduceFrame f;
  f.batch = std::make_shared<std::vector<std::uint8_t>>(bench::make_batch(1024, 1000));
  f.header.request_api_key = static_cast<std::int16_t>(ApiKey::produce);
  f.header.request_api_version = kProduceVersion;
  f.header.correlation_id = 42;
  f.header.client_id = "bench-producer";
  f.request.acks = -1;
  f.request.timeout_ms = 30000;
  auto& topic = f.request.topic_data.emplace_back();
  topic.name = "bench-topic";
  auto& partition = topic.partition_data.emplace_back();
  partition.index = 3;
  partition.records = Records::view(*f.batch, f.batch);
  Writer w;
  const auto header_version = request_header_version(0, kProduceVersion);
  if (f.header.encode(w, header_version) != ProtocolError::none ||
      f.request.encode(w, kProduceVersion) != ProtocolError::none) {
    std::abort();
  }
  f.bytes = std::make_shared<std::vector<std::uint8_t>>(w.flatten());
  return f;
}

void BM_ProduceRequestDecode(benchmark::State& state) {
  const ProduceFrame f = make_produce_frame();
  const auto header_version = request_header_version(0, kProduceVersion);
  bench::AllocationCounter allocations;
  for (auto _ : state) {
    Reader reader(*f.bytes, f.bytes);
    RequestHeader header;
    ProduceRequest request;
    if (header.decode(reader, header_version) != ProtocolError::none ||
        request.decode(reader, header.request_api_version) != ProtocolError::none) {
      state.SkipWithError("decode failed");
      break;
    }
    benchmark::DoNotOptimize(request.topic_data[0].partition_data[0].records.size());
  }
  allocations.report(state);
  // No bytes/s here: the records are not touched, so the cost does not grow
  // with the batch.
  state.counters["frame_bytes"] = static_cast<double>(f.bytes->size());
}
BENCHMARK(BM_ProduceRequestDecode);

void BM_ProduceRequestDecodeAndCheckCrc(benchmark::State& state) {
  const ProduceFrame f = make_produce_frame();
  const auto header_version = request_header_version(0, kProduceVersion);
  bench::AllocationCounter allocations;
  for (auto _ : state) {
    Reader reader(*f.bytes, f.bytes);
    RequestHeader header;
    ProduceRequest request;
    if (header.decode(reader, header_version) != ProtocolError::none ||
        request.decode(reader, header.request_api_version) != ProtocolError::none) {
      state.SkipWithError("decode failed");
      break;
    }
    const auto batch = request.topic_data[0].partition_data[0].records.bytes();
    const auto batch_header = read_batch_header(batch);
    if (!batch_header || !batch_crc_matches(batch)) {
      state.SkipWithError("bad batch");
      break;
    }
  }
  allocations.report(state);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * f.bytes->size()));
}
BENCHMARK(BM_ProduceRequestDecodeAndCheckCrc);

void BM_ProduceRequestEncode(benchmark::State& state) {
  const ProduceFrame f = make_produce_frame();
  const auto header_version = request_header_version(0, kProduceVersion);
  bench::AllocationCounter allocations;
  for (auto _ : state) {
    Writer w(256);
    if (f.header.encode(w, header_version) != ProtocolError::none ||
        f.request.encode(w, kProduceVersion) != ProtocolError::none) {
      state.SkipWithError("encode failed");
      break;
    }
    benchmark::DoNotOptimize(w.size());
  }
  allocations.report(state);
}
BENCHMARK(BM_ProduceRequestEncode);

}  // namespace
}  // namespace conveyor::protocol
