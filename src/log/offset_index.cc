#include "conveyor/log/offset_index.h"

#include "conveyor/protocol/record_batch_header.h"

namespace conveyor::log {

using protocol::load_be32;
using protocol::store_be32;

OffsetIndex::Entry OffsetIndex::entry(std::size_t i) const {
  const std::uint8_t* p = file_.entry(i);
  return Entry{base_offset_ + static_cast<std::uint32_t>(load_be32(p)),
               static_cast<std::uint32_t>(load_be32(p + 4))};
}

std::optional<OffsetIndex::Entry> OffsetIndex::last_entry() const {
  if (entries() == 0) return std::nullopt;
  return entry(entries() - 1);
}

void OffsetIndex::append(std::int64_t offset, std::uint32_t position) {
  if (file_.full() || offset < base_offset_ || offset - base_offset_ > INT32_MAX) return;
  if (const auto last = last_entry(); last && (offset <= last->offset || position <= last->position)) return;
  std::uint8_t* p = file_.append_slot();
  store_be32(p, static_cast<std::int32_t>(offset - base_offset_));
  store_be32(p + 4, static_cast<std::int32_t>(position));
  file_.commit_append();
}

OffsetIndex::Entry OffsetIndex::lookup(std::int64_t target) const { return bracket(target).floor; }

OffsetIndex::Bracket OffsetIndex::bracket(std::int64_t target) const {
  // Binary search for the first entry with offset > target.
  const std::size_t n = entries();
  std::size_t lo = 0, hi = n;
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (entry(mid).offset <= target) lo = mid + 1;
    else hi = mid;
  }
  Bracket b{lo == 0 ? Entry{base_offset_, 0} : entry(lo - 1), std::nullopt};
  if (lo < n) b.ceiling = entry(lo);
  return b;
}

std::optional<OffsetIndex::Entry> OffsetIndex::lookup_by_position(std::uint64_t position) const {
  std::size_t lo = 0, hi = entries();
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (entry(mid).position <= position) lo = mid + 1;
    else hi = mid;
  }
  if (lo == 0) return std::nullopt;
  return entry(lo - 1);
}

bool OffsetIndex::plausible(std::uint64_t log_size) const {
  const std::size_t n = entries();
  if (n == 0) return true;
  const Entry last = entry(n - 1);
  if (last.offset <= base_offset_ && n > 1) return false;
  if (last.position == 0 || last.position >= log_size) return false;
  if (n > 1) {
    const Entry before = entry(n - 2);
    if (before.offset >= last.offset || before.position >= last.position) return false;
  }
  return true;
}

}  // namespace conveyor::log
