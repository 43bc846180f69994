#include "conveyor/log/preallocation.h"

#include <algorithm>

namespace conveyor::log {

void Preallocation::zeroed_to(std::uint64_t end) {
  std::lock_guard lock(mutex_);
  zeroed_ = std::max(zeroed_, end);
}

void Preallocation::truncated_to(std::uint64_t end) {
  std::lock_guard lock(mutex_);
  zeroed_ = std::min(zeroed_, end);
  if (durable_.load(std::memory_order_relaxed) > end)
    durable_.store(end, std::memory_order_release);
  ++generation_;
}

std::uint64_t Preallocation::zeroed() const {
  std::lock_guard lock(mutex_);
  return zeroed_;
}

Preallocation::SyncTicket Preallocation::begin_sync() const {
  std::lock_guard lock(mutex_);
  return SyncTicket{zeroed_, generation_};
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
