#pragma once
// Counts heap allocations made through global operator new in this benchmark
// binary (alloc_counter.cc replaces it), for the "allocations per message"
// figures in docs/benchmarks.md.

#include <benchmark/benchmark.h>

#include <cstdint>

namespace conveyor::bench {

std::uint64_t allocation_count();

// Reports allocations per iteration between construction and report().
class AllocationCounter {
 public:
  AllocationCounter() : start_(allocation_count()) {}
  void report(benchmark::State& state) const {
    state.counters["allocs/msg"] = benchmark::Counter(
        static_cast<double>(allocation_count() - start_), benchmark::Counter::kAvgIterations);
  }

 private:
  std::uint64_t start_;
};

}  // namespace conveyor::bench
