#pragma once
// A compaction pass as data, so that its heavy part can run on the cleaner
// thread (log.cleaner.threads) while the log keeps serving on its shard:
//
//   CompactionPlan   made on the shard: which closed segments to read and how
//                    to group them, as SegmentViews (the files stay open and
//                    readable even if retention deletes them meanwhile);
//   CompactionWork   made by cleaner::run on the cleaner thread: the key map
//                    built and one `<base>.log.cleaned` file written and
//                    fdatasync'd per group;
//   finish           back on the shard: each group swapped in (or discarded).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <utility>
#include <vector>

#include "conveyor/base/file_handle.h"

namespace conveyor::log {

// What one compaction pass did (PartitionLog::compact).
struct CompactionStats {
  bool cleaned = false;           // false: nothing was due (policy, dirty ratio, tombstones)
  double dirty_ratio = 0;         // dirty / cleanable bytes before the pass
  std::int64_t first_uncleanable_offset = -1;  // the pass cleaned offsets below this
  std::size_t segments_read = 0;
  std::size_t segments_written = 0;  // after grouping; groups emptied entirely write none
  std::int64_t records_read = 0;
  std::int64_t records_removed = 0;      // superseded, keyless, or expired tombstones
  std::int64_t tombstones_removed = 0;   // of records_removed: tombstones past delete.retention.ms
  std::uint64_t bytes_read = 0;
  std::uint64_t bytes_written = 0;
};

// What the cleaner reads of a closed segment.
struct SegmentView {
  std::uint64_t segment_id = 0;  // Segment::id(), to check the segment is still there
  std::shared_ptr<const FileHandle> file;
  std::uint64_t size = 0;
  std::int64_t base_offset = 0;
  std::int64_t next_offset = 0;
};

struct SourceSegment {
  SegmentView segment;
  // Wholly below the previous pass's end: its tombstones may expire, counted
  // from cleaned_at_ms.
  bool already_cleaned = false;
  std::int64_t cleaned_at_ms = 0;
};

// An aborted transaction's data range: (producer id, first offset, ABORT marker offset).
struct AbortedRange {
  std::int64_t producer_id = -1;
  std::int64_t first_offset = -1;
  std::int64_t last_offset = -1;
};

struct CompactionPlan {
  std::filesystem::path dir;
  std::vector<SourceSegment> sources;                    // every cleanable segment, in order
  std::vector<std::pair<std::size_t, std::size_t>> groups;  // [first, last) of sources, one output each
  std::int64_t now_ms = 0;
  std::int64_t delete_retention_ms = 0;
  std::int64_t first_uncleanable_offset = -1;
  // Where the previous pass ended (the cleaner offset): records below it are
  // unique per key already. It may lie inside a segment when that pass's key
  // map filled there.
  std::int64_t first_dirty_offset = 0;
  double dirty_ratio = 0;
  std::vector<AbortedRange> aborted;  // transactions aborted below first_uncleanable_offset
  // Memory for the key map (log.cleaner.dedupe.buffer.size / log.cleaner.threads);
  // 0: unbounded. When it fills, the pass ends at the batch it filled in.
  std::uint64_t max_map_bytes = 0;
};

struct CleanedSegment {
  std::int64_t base_offset = 0;
  std::uint64_t size = 0;          // 0: nothing kept, and no file left behind
  std::int64_t cleaned_at_ms = 0;  // the file's mtime
  bool has_tombstones = false;     // kept tombstones that will expire later
};

struct CompactionWork {
  CompactionStats stats;
  // The groups cleaned: the plan's, cut short when the key map filled.
  std::vector<std::pair<std::size_t, std::size_t>> groups;
  std::vector<CleanedSegment> cleaned;  // one per group above
  std::int64_t end_offset = -1;         // the pass cleaned offsets below this
};

}  // namespace conveyor::log
