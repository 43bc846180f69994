// CRC32C throughput: the hardware (SSE4.2) and software paths, over a batch
// sized 64 KiB (the target) and 1 MiB (a large produce).

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "conveyor/protocol/crc32c.h"

namespace conveyor::protocol {
namespace {

std::vector<std::uint8_t> pseudo_random_bytes(std::size_t n) {
  std::vector<std::uint8_t> bytes(n);
  std::uint64_t x = 0x9e3779b97f4a7c15ULL;
  for (auto& b : bytes) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    b = static_cast<std::uint8_t>(x);
  }
  return bytes;
}

template <std::uint32_t (*Extend)(std::uint32_t, std::span<const std::uint8_t>)>
void BM_Crc32c(benchmark::State& state) {
  const auto bytes = pseudo_random_bytes(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(Extend(0, bytes));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

void BM_Crc32cHardware(benchmark::State& state) {
  if (!crc32c::hardware_available()) {
    state.SkipWithError("no SSE4.2 on this CPU");
    return;
  }
  BM_Crc32c<crc32c::extend_hardware>(state);
}

BENCHMARK(BM_Crc32cHardware)->Arg(64 << 10)->Arg(1 << 20);
BENCHMARK(BM_Crc32c<crc32c::extend_software>)
    ->Name("BM_Crc32cSoftware")
    ->Arg(64 << 10)
    ->Arg(1 << 20);
// What the broker calls: the run-time choice.
BENCHMARK(BM_Crc32c<crc32c::extend>)->Name("BM_Crc32c")->Arg(1 << 20);

}  // namespace
}  // namespace conveyor::protocol
