#pragma once
// OffsetIndex: the sparse offset index of one segment (`<base>.index`), in
// Kafka's layout so Kafka's tools can read it. Entries of 8 bytes, big-endian:
//
//   0  4  relative offset  (last offset of a batch) - segment base offset
//   4  4  position         byte position of that batch in the .log file
//
// One entry is added each time more than index.interval.bytes of log were
// written since the previous one (the segment decides, see Segment::append),
// so relative offsets and positions both strictly increase and entries ~=
// log bytes / index.interval.bytes. A lookup binary-searches for the last
// entry at or below the target and the reader scans forward from there over
// at most about one interval of batch headers.
//
// Not thread-safe; owned by one Segment on one shard.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>

#include "conveyor/log/index_file.h"

namespace conveyor::log {

class OffsetIndex : public SegmentIndex<8> {
 public:
  struct Entry {
    std::int64_t offset = 0;      // absolute
    std::uint32_t position = 0;
  };

  explicit OffsetIndex(std::int64_t base_offset) : SegmentIndex(base_offset) {}

  // Appends an entry; ignored when full or when `offset` does not increase
  // (a sparse index may skip entries).
  void append(std::int64_t offset, std::uint32_t position);
  // The last entry with offset <= `target`, or {base_offset, 0}.
  Entry lookup(std::int64_t target) const;
  // lookup(target), and the entry after it (the first with offset > target), if any.
  struct Bracket {
    Entry floor;
    std::optional<Entry> ceiling;
  };
  Bracket bracket(std::int64_t target) const;
  // The last entry with position <= `position`, if any.
  std::optional<Entry> lookup_by_position(std::uint64_t position) const;
  std::optional<Entry> last_entry() const;
  Entry entry(std::size_t i) const;
  // Cheap checks of a loaded index against its log (Kafka's sanityCheck):
  // whole entries, the last entry above the one before it and inside the log.
  bool plausible(std::uint64_t log_size) const;
};

}  // namespace conveyor::log
