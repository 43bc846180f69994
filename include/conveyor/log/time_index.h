#pragma once
// TimeIndex: the time index of one segment (`<base>.timeindex`), Kafka's
// layout. Entries of 12 bytes, big-endian:
//
//   0  8  timestamp        the largest batch max timestamp so far in the segment
//   8  4  relative offset  last offset of the batch that carried it - base offset
//
// Entries are added next to offset index entries, and only when the
// timestamp grows, so both columns increase: the index is monotonic even when
// client timestamps are not. When the segment rolls or closes, a final entry
// records the segment's largest timestamp (Segment::seal).
//
// Lookup for "first offset with timestamp >= T": the last entry with a
// timestamp < T tells where no earlier batch can qualify; the reader scans
// forward from that offset.
//
// Not thread-safe; owned by one Segment on one shard.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>

#include "conveyor/log/index_file.h"

namespace conveyor::log {

class TimeIndex : public SegmentIndex<12> {
 public:
  struct Entry {
    std::int64_t timestamp = -1;
    std::int64_t offset = 0;  // absolute
  };

  explicit TimeIndex(std::int64_t base_offset) : SegmentIndex(base_offset) {}

  // Appends when `timestamp` is above the last entry's (and room is left).
  void maybe_append(std::int64_t timestamp, std::int64_t offset);
  // The last entry with timestamp < `timestamp`, if any.
  std::optional<Entry> last_before(std::int64_t timestamp) const;
  std::optional<Entry> last_entry() const;
  Entry entry(std::size_t i) const;
  // Whole entries and the last one above the one before it.
  bool plausible() const;
};

}  // namespace conveyor::log
