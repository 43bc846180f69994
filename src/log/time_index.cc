#include "conveyor/log/time_index.h"

#include "conveyor/protocol/record_batch_header.h"

namespace conveyor::log {

using protocol::load_be32;
using protocol::load_be64;
using protocol::store_be32;
using protocol::store_be64;

TimeIndex::Entry TimeIndex::entry(std::size_t i) const {
  const std::uint8_t* p = file_.entry(i);
  return Entry{load_be64(p), base_offset_ + static_cast<std::uint32_t>(load_be32(p + 8))};
}

std::optional<TimeIndex::Entry> TimeIndex::last_entry() const {
  if (entries() == 0) return std::nullopt;
  return entry(entries() - 1);
}

void TimeIndex::maybe_append(std::int64_t timestamp, std::int64_t offset) {
  if (file_.full() || offset < base_offset_ || offset - base_offset_ > INT32_MAX) return;
  if (const auto last = last_entry(); last && (timestamp <= last->timestamp || offset < last->offset)) return;
  std::uint8_t* p = file_.append_slot();
  store_be64(p, timestamp);
  store_be32(p + 8, static_cast<std::int32_t>(offset - base_offset_));
  file_.commit_append();
}

std::optional<TimeIndex::Entry> TimeIndex::last_before(std::int64_t timestamp) const {
  std::size_t lo = 0, hi = entries();
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (entry(mid).timestamp < timestamp) lo = mid + 1;
    else hi = mid;
  }
  if (lo == 0) return std::nullopt;
  return entry(lo - 1);
}

bool TimeIndex::plausible() const {
  const std::size_t n = entries();
  if (n < 2) return true;
  const Entry last = entry(n - 1), before = entry(n - 2);
  return before.timestamp < last.timestamp && before.offset <= last.offset;
}

}  // namespace conveyor::log
