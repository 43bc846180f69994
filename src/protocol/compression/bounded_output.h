#pragma once
// BoundedOutput: the output side of a streaming decoder. Appends to a caller's
// vector in growing windows but never lets it grow past max_output + 1 bytes
// beyond where it started — the one extra byte is how a decoder learns that
// the stream holds more than the caller allows. Internal to compression/.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace conveyor::protocol::codec {

class BoundedOutput {
 public:
  BoundedOutput(std::vector<std::uint8_t>& out, std::size_t max_output, std::size_t size_hint)
      : out_(out),
        start_(out.size()),
        max_(std::min(max_output, kMaxSane)),
        next_window_(std::clamp<std::size_t>(size_hint, kMinWindow, kMaxWindow)) {}

  // Room for the decoder to write into, right after what it has produced.
  // Empty once max_output + 1 bytes have been produced.
  std::span<std::uint8_t> window() {
    const std::size_t cap = max_ + 1;
    if (produced_ == cap) return {};
    if (out_.size() == start_ + produced_) {
      const std::size_t grow = std::min(cap - produced_, next_window_);
      out_.resize(out_.size() + grow);
      next_window_ = std::min(next_window_ * 2, kMaxWindow);
    }
    return {out_.data() + start_ + produced_, out_.size() - start_ - produced_};
  }
  void produced(std::size_t n) { produced_ += n; }
  std::size_t total() const { return produced_; }
  bool exceeded() const { return produced_ > max_; }
  std::size_t remaining_budget() const { return produced_ >= max_ ? 0 : max_ - produced_; }

  // Keeps exactly what was produced.
  void commit() { out_.resize(start_ + produced_); }
  // Restores `out` to its size before decoding began.
  void rollback() { out_.resize(start_); }

 private:
  static constexpr std::size_t kMaxSane = std::size_t{1} << 40;
  static constexpr std::size_t kMinWindow = 4 * 1024;
  static constexpr std::size_t kMaxWindow = 4 * 1024 * 1024;

  std::vector<std::uint8_t>& out_;
  std::size_t start_;
  std::size_t max_;
  std::size_t produced_ = 0;
  std::size_t next_window_;
};

}  // namespace conveyor::protocol::codec
