#pragma once
// Log compaction, the parts that work on segment files rather than on a
// DiskLog's segment set (Kafka's Cleaner). A pass (compaction_plan.h):
// DiskLog::plan_compaction picks the segments and groups, run() does 1 and 3
// below — on the cleaner thread in the broker — and
// DiskLog::finish_compaction does 4:
//
//   1. the key map over the dirty segments (those after the previous pass's
//      end): key -> offset of its latest record (control batches and aborted
//      transactions skipped). Records of the clean segments are unique per
//      key already and are kept unless the map holds a later offset;
//   2. group_by_size: consecutive cleanable segments whose sizes add up to at
//      most segment.bytes (and whose offsets fit one segment) become one;
//   3. write_cleaned_segment per group: `<base>.log.cleaned` holding, in
//      order, every batch of the group with only the records to keep:
//        - control batches (transaction markers): kept as they are;
//        - batches of aborted transactions: dropped (and left out of step 1);
//        - a keyed record: kept when it is the latest for its key, except a
//          tombstone (null value) in a segment cleaned at least
//          delete.retention.ms ago;
//        - a keyless record: dropped (compacted topics refuse them on append;
//          older ones may predate the policy change).
//      A batch keeping all its records is copied byte for byte; one keeping
//      none is dropped; otherwise it is rebuilt with the same base offset,
//      last offset delta (so its offset range is unchanged: the records keep
//      their offset deltas, with gaps), codec, producer fields, leader epoch
//      and timestamp type. The file is fdatasync'd and its mtime set to the
//      pass's clock: the time the segment was cleaned, which later passes
//      read back (cleaned_at_ms) to expire tombstones;
//   4. DiskLog swaps it in: `.cleaned` -> `.swap` (commit point, directory
//      fsync'd), delete the replaced segments, `.swap` -> `.log`, rebuild
//      the indexes. complete_swaps finishes step 4 after a crash.
//
// The key map is bounded by plan.max_map_bytes (Kafka's
// log.cleaner.dedupe.buffer.size shared by the cleaner threads), counted as
// key bytes plus kMapEntryOverhead per key. As in Kafka, mapping stops at the
// first batch with a key that does not fit: the pass cleans only the offsets
// below that batch (records from it on are written as they are) and the
// cleaner offset stops there, inside its segment if need be; the next pass
// maps from there. The first batch mapped in a pass is always taken whole, so
// every pass moves forward.
// Functions here are stateless and touch only the files they are given, so
// they may run on any thread.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "conveyor/base/result.h"
#include "conveyor/log/log_error.h"
#include "conveyor/log/compaction_plan.h"
#include "conveyor/log/segment.h"

namespace conveyor::log::cleaner {

// Key bytes -> offset of the latest record with that key.
using OffsetMap = std::unordered_map<std::string, std::int64_t>;
// Estimated bytes of one OffsetMap entry besides its key: the node (string,
// offset, next pointer, cached hash) and its bucket.
inline constexpr std::uint64_t kMapEntryOverhead = 72;

// The key map and what it may use.
struct BoundedOffsetMap {
  OffsetMap map;
  std::uint64_t max_bytes = 0;  // 0: unbounded
  std::uint64_t bytes = 0;      // estimated
  std::size_t batches = 0;      // batches mapped so far
  bool full = false;            // a new key was refused...
  std::int64_t full_at = -1;    // ...in the batch at this base offset (nothing from it on is mapped)
};

SegmentView view_of(const Segment& segment);

// The batches of aborted transactions, which compaction drops.
class AbortedBatches {
 public:
  explicit AbortedBatches(const std::vector<AbortedRange>& ranges);
  bool contains(const protocol::RecordBatchHeader& batch) const;

 private:
  std::unordered_map<std::int64_t, std::vector<std::pair<std::int64_t, std::int64_t>>> by_producer_;
};

// Adds the keyed records of the batches of `segment` that end at or after
// `from_offset` to `map` (later offsets win), except those of aborted
// transactions; stops at the batch whose new key does not fit (map.full_at).
Result<void, LogError> add_to_offset_map(const SegmentView& segment, std::int64_t from_offset,
                                         const AbortedBatches& aborted, BoundedOffsetMap& map);

struct CleanOptions {
  std::int64_t now_ms = 0;
  std::int64_t delete_retention_ms = 0;
  std::int64_t keep_from = INT64_MAX;  // records at or after this offset are kept as they are
};

// Writes, fdatasyncs and closes files::cleaned_log_path(dir, group base).
// On failure the `.cleaned` file is removed.
Result<CleanedSegment, LogError> write_cleaned_segment(const std::filesystem::path& dir,
                                                       std::span<const SourceSegment> group, const OffsetMap& map,
                                                       const AbortedBatches& aborted, const CleanOptions& options,
                                                       CompactionStats& stats);

// Steps 1 and 3 for a whole plan: the key map, then every group's cleaned
// file. On failure, the files already written are removed.
Result<CompactionWork, LogError> run(const CompactionPlan& plan);

// Consecutive runs [first, last) of `segments` to clean into one each.
std::vector<std::pair<std::size_t, std::size_t>> group_by_size(std::span<const SourceSegment> segments,
                                                               std::int64_t max_bytes);

// When the segment's log file was last written (its mtime), in ms.
std::int64_t modified_ms(const SegmentView& segment);

// Recovery: completes every `<base>.log.swap` left by a crash after the
// commit point — deletes the segments it replaces (those with a base offset in
// (base, its next offset)) and the old indexes at `base`, renames it to
// `<base>.log`, fsyncs the directory. Returns the bases completed (their
// indexes must be rebuilt by a full scan).
Result<std::vector<std::int64_t>, LogError> complete_swaps(const std::filesystem::path& dir);

}  // namespace conveyor::log::cleaner
