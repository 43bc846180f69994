#include "conveyor/log/preallocation.h"

#include <algorithm>

#include "conveyor/log/file_io.h"

namespace conveyor::log {

namespace {
// Bounds how long an append past the zeros can wait for the mutex: 256 KiB
// into fresh page-cache pages takes about half a millisecond here.
constexpr std::uint64_t kZeroSlice = 256 * 1024;
}  // namespace

bool Preallocation::want_zeros_to(std::uint64_t end) {
  std::lock_guard lock(mutex_);
  if (end <= wanted_.load(std::memory_order_relaxed)) return false;
  wanted_.store(end, std::memory_order_release);
  return true;
}

void Preallocation::zeroed_to(std::uint64_t end) {
  std::lock_guard lock(mutex_);
  if (end > zeroed_.load(std::memory_order_relaxed)) zeroed_.store(end, std::memory_order_release);
}

bool Preallocation::write_ahead() {
  for (;;) {
    std::lock_guard lock(mutex_);
    if (zeroing_failed()) return false;
    // Never below the data: an append past the zeros wrote up to data_end_.
    const std::uint64_t from = std::max(zeroed_.load(std::memory_order_relaxed), data_end_);
    const std::uint64_t wanted = wanted_.load(std::memory_order_relaxed);
    if (from >= wanted) return true;
    const std::uint64_t to = std::min(from + kZeroSlice, wanted);
    if (!io::write_zeros(file_->fd(), from, to)) {
      // Only a speed-up: the shard sees zeroing_failed() and stops asking;
      // whatever part was written lies past the data and is cut off when
      // the segment is sealed or recovered.
      zeroing_failed_.store(true, std::memory_order_release);
      return false;
    }
    zeroed_.store(to, std::memory_order_release);
  }
}

void Preallocation::truncated_to(std::uint64_t end) {
  std::lock_guard lock(mutex_);
  if (zeroed_.load(std::memory_order_relaxed) > end) zeroed_.store(end, std::memory_order_release);
  if (wanted_.load(std::memory_order_relaxed) > end) wanted_.store(end, std::memory_order_release);
  data_end_ = std::min(data_end_, end);
  if (durable_.load(std::memory_order_relaxed) > end)
    durable_.store(end, std::memory_order_release);
  ++generation_;
}

std::uint64_t Preallocation::zeroed() const {
  return zeroed_.load(std::memory_order_acquire);
}

Preallocation::SyncTicket Preallocation::begin_sync() const {
  std::lock_guard lock(mutex_);
  return SyncTicket{zeroed_.load(std::memory_order_relaxed), generation_};
}

void Preallocation::end_sync(const SyncTicket& ticket, bool ok) {
  if (!ok) {
    mark_failed();
    return;
  }
  std::lock_guard lock(mutex_);
  if (failed()) return;  // never trusted again
  if (ticket.generation != generation_)
    return;  // truncated meanwhile: the ticket may name blocks now gone
  if (ticket.zeroed > durable_.load(std::memory_order_relaxed)) {
    durable_.store(ticket.zeroed, std::memory_order_release);
  }
}

}  // namespace conveyor::log
