#pragma once
// RandomSource: seeded random values for property-style tests (the codec's
// round trips). A failing seed is printed by the test so it can be replayed.

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "conveyor/protocol/uuid.h"

namespace conveyor::protocol::testing {

class RandomSource {
 public:
  explicit RandomSource(std::uint64_t seed) : rng_(seed) {}

  bool one_in(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_) == 0; }
  int next_count() { return std::uniform_int_distribution<int>(0, 3)(rng_); }

  template <typename T>
  T next() {
    if constexpr (std::is_same_v<T, bool>) {
      return one_in(2);
    } else if constexpr (std::is_same_v<T, double>) {
      return std::uniform_real_distribution<double>(-1e12, 1e12)(rng_);
    } else if constexpr (std::is_same_v<T, Uuid>) {
      return Uuid{rng_(), rng_()};
    } else {
      // Mix edge values with uniform ones: encoders break at the extremes.
      switch (std::uniform_int_distribution<int>(0, 5)(rng_)) {
        case 0: return std::numeric_limits<T>::min();
        case 1: return std::numeric_limits<T>::max();
        case 2: return T{0};
        default: return static_cast<T>(rng_());
      }
    }
  }

  std::string next_string() {
    static constexpr const char* kPieces[] = {"a", "topic", "-", "_", ".", "é", "漢", "🙂", "Z9"};
    std::string s;
    const int n = std::uniform_int_distribution<int>(0, 6)(rng_);
    for (int i = 0; i < n; ++i) s += kPieces[std::uniform_int_distribution<int>(0, 8)(rng_)];
    return s;
  }

  std::vector<std::uint8_t> next_bytes() {
    std::vector<std::uint8_t> out(std::uniform_int_distribution<int>(0, 40)(rng_));
    for (auto& b : out) b = static_cast<std::uint8_t>(rng_());
    return out;
  }

  // Sometimes past the writer's splice threshold, so both paths are covered.
  std::vector<std::uint8_t> next_records_bytes() {
    const int n = one_in(8) ? 5000 : std::uniform_int_distribution<int>(0, 100)(rng_);
    std::vector<std::uint8_t> out(static_cast<std::size_t>(n));
    for (auto& b : out) b = static_cast<std::uint8_t>(rng_());
    return out;
  }

 private:
  std::mt19937_64 rng_;
};

}  // namespace conveyor::protocol::testing
