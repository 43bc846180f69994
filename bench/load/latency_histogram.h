#pragma once
// LatencyHistogram: a fixed-size log-linear histogram of nanosecond values.
//
// Values below 128 ns have a bucket each; above, every power of two is split
// into 64 equal buckets, so a reported percentile is within 1/64 (1.6%) of
// the true value. 3,776 counters cover the whole uint64 range and recording is
// a count-leading-zeros, a shift and an increment: cheap enough to call once
// per delivered message at millions of messages per second.
//
// Not thread-safe: conveyor_load records from its one delivery-report thread
// and reads after that thread has been joined.
#include <array>
#include <bit>
#include <cstdint>

namespace conveyor::bench {

class LatencyHistogram {
 public:
  void record(uint64_t ns) {
    ++counts_[index_of(ns)];
    ++total_;
    sum_ns_ += ns;
    if (ns > max_ns_) max_ns_ = ns;
  }

  // Adds another histogram's values (per-thread histograms read after a join).
  void merge(const LatencyHistogram& other) {
    for (unsigned i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
    total_ += other.total_;
    sum_ns_ += other.sum_ns_;
    if (other.max_ns_ > max_ns_) max_ns_ = other.max_ns_;
  }

  [[nodiscard]] uint64_t total() const { return total_; }
  [[nodiscard]] uint64_t max_ns() const { return max_ns_; }
  [[nodiscard]] double mean_ns() const {
    return total_ == 0 ? 0.0 : static_cast<double>(sum_ns_) / static_cast<double>(total_);
  }

  // The upper edge of the bucket that holds the q-quantile (0 < q <= 1).
  [[nodiscard]] uint64_t quantile_ns(double q) const {
    if (total_ == 0) return 0;
    auto rank = static_cast<uint64_t>(q * static_cast<double>(total_) + 0.999999);
    if (rank == 0) rank = 1;
    uint64_t seen = 0;
    for (unsigned i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen >= rank) {
        uint64_t upper = upper_edge(i);
        return upper < max_ns_ ? upper : max_ns_;
      }
    }
    return max_ns_;
  }

 private:
  static constexpr unsigned kSubBits = 6;  // 64 buckets per power of two
  static constexpr unsigned kSub = 1U << kSubBits;
  static constexpr unsigned kBuckets = (64 - kSubBits + 1) * kSub;

  static unsigned index_of(uint64_t v) {
    if (v < 2 * kSub) return static_cast<unsigned>(v);
    unsigned exponent = 63U - static_cast<unsigned>(std::countl_zero(v));  // >= kSubBits + 1
    auto mantissa = static_cast<unsigned>(v >> (exponent - kSubBits));       // [kSub, 2 * kSub)
    return (exponent - kSubBits) * kSub + mantissa;
  }

  static uint64_t upper_edge(unsigned index) {
    if (index < 2 * kSub) return index;
    unsigned exponent = index / kSub + kSubBits - 1;
    uint64_t mantissa = index % kSub + kSub;
    return ((mantissa + 1) << (exponent - kSubBits)) - 1;
  }

  std::array<uint64_t, kBuckets> counts_{};
  uint64_t total_ = 0;
  uint64_t sum_ns_ = 0;
  uint64_t max_ns_ = 0;
};

}  // namespace conveyor::bench
