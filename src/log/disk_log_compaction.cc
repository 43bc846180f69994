// DiskLog::compact: one pass of Kafka's log cleaner over a partition's closed
// segments (the file work is in log_cleaner.cc). What the pass keeps is
// described in log_cleaner.h; how a cleaned segment replaces the old ones:
//
//   write <base>.log.cleaned, fdatasync       crash: .cleaned deleted, old segments intact
//   rename to <base>.log.swap, fsync dir      commit point
//   delete the replaced segments' files       crash: recovery completes the swap
//   rename <base>.log.swap to <base>.log      (cleaner::complete_swaps)
//   fsync dir, rebuild and fsync the indexes
//
// A group whose records all go leaves no file: its segments are deleted
// oldest first, so a crash halfway never leaves a superseded record without
// the later record (or tombstone) that superseded it.

#include <spdlog/spdlog.h>

#include <algorithm>

#include "conveyor/log/disk_log.h"
#include "conveyor/log/file_io.h"
#include "conveyor/log/log_cleaner.h"
#include "conveyor/log/log_files.h"

namespace conveyor::log {

namespace {

// now - since >= limit, without overflow; a limit of INT64_MAX never passes.
bool elapsed_at_least(std::int64_t now, std::int64_t since, std::int64_t limit) {
  if (limit == INT64_MAX || now < since) return false;
  const std::uint64_t elapsed = static_cast<std::uint64_t>(now) - static_cast<std::uint64_t>(since);
  return elapsed >= static_cast<std::uint64_t>(std::max<std::int64_t>(limit, 0));
}

}  // namespace

std::size_t DiskLog::first_uncleanable_segment(std::int64_t now_ms) const {
  const std::size_t active = segments_.size() - 1;
  if (config_.min_compaction_lag_ms <= 0) return active;
  // Kafka's rule: a segment whose largest timestamp is within
  // min.compaction.lag.ms of now is not cleaned, nor anything after it.
  for (std::size_t i = 0; i < active; ++i) {
    const Segment& segment = segments_.at(i);
    if (segment.max_timestamp() >= 0 &&
        !elapsed_at_least(now_ms, segment.max_timestamp(), config_.min_compaction_lag_ms)) {
      return i;
    }
  }
  return active;
}

Result<CompactionStats, LogError> DiskLog::compact(std::int64_t now_ms) {
  if (closed_ || offline()) return Unexpected{LogError::storage_error};
  CompactionStats stats;
  if (!config_.cleanup_compact) return stats;
  const std::size_t end = first_uncleanable_segment(now_ms);
  stats.first_uncleanable_offset = segments_.at(end).base_offset();
  if (end == 0) return stats;

  std::uint64_t clean_bytes = 0, dirty_bytes = 0;
  for (std::size_t i = 0; i < end; ++i) {
    const Segment& segment = segments_.at(i);
    (segment.next_offset() <= cleaner_offset_ ? clean_bytes : dirty_bytes) += segment.size();
  }
  const std::uint64_t total = clean_bytes + dirty_bytes;
  stats.dirty_ratio = total == 0 ? 0.0 : static_cast<double>(dirty_bytes) / static_cast<double>(total);
  const bool dirty_enough = dirty_bytes > 0 && stats.dirty_ratio >= config_.min_cleanable_dirty_ratio;
  const bool tombstones_due = tombstones_cleaned_at_ != INT64_MAX &&
                              elapsed_at_least(now_ms, tombstones_cleaned_at_, config_.delete_retention_ms);
  if (!dirty_enough && !tombstones_due) return stats;

  // 1. The latest offset of every key below the first uncleanable offset.
  cleaner::OffsetMap map;
  std::vector<const Segment*> cleanable;
  std::vector<cleaner::SourceSegment> sources;
  for (std::size_t i = 0; i < end; ++i) {
    const Segment& segment = segments_.at(i);
    if (auto r = cleaner::add_to_offset_map(segment, map); !r) return Unexpected{r.error()};
    cleanable.push_back(&segment);
    const bool clean = segment.next_offset() <= cleaner_offset_;
    sources.push_back(cleaner::SourceSegment{&segment, clean, clean ? cleaner::modified_ms(segment) : now_ms});
  }

  // 2. Clean each group into one segment and swap it in.
  const cleaner::CleanOptions options{now_ms, config_.delete_retention_ms};
  std::int64_t tombstones_cleaned_at = INT64_MAX;
  for (const auto& [first, last] : cleaner::group_by_size(cleanable, config_.segment_bytes)) {
    const std::span<const cleaner::SourceSegment> group(sources.data() + first, last - first);
    const std::int64_t base = group.front().segment->base_offset();
    auto cleaned = cleaner::write_cleaned_segment(dir_, group, map, options, stats);
    if (!cleaned) return Unexpected{cleaned.error()};
    // Groups before this one may have changed the count of segments in front.
    const std::size_t at = segments_.index_of(base);
    if (auto r = install_cleaned(at, last - first, static_cast<std::int64_t>(cleaned->size), now_ms); !r) {
      offline_ = true;
      spdlog::error("log {}: swapping in compacted segment {} failed; the log is offline", dir_.string(), base);
      return Unexpected{r.error()};
    }
    if (cleaned->has_tombstones) tombstones_cleaned_at = std::min(tombstones_cleaned_at, cleaned->cleaned_at_ms);
  }
  cleaner_offset_ = std::max(cleaner_offset_, stats.first_uncleanable_offset);
  tombstones_cleaned_at_ = tombstones_cleaned_at;
  stats.cleaned = true;
  if (auto r = checkpoint(); !r) return Unexpected{r.error()};
  spdlog::info("log {}: compacted {} segments into {} below offset {}: {} of {} records removed, {} -> {} bytes",
               dir_.string(), stats.segments_read, stats.segments_written, stats.first_uncleanable_offset,
               stats.records_removed, stats.records_read, stats.bytes_read, stats.bytes_written);
  return stats;
}

Result<void, LogError> DiskLog::install_cleaned(std::size_t first, std::size_t count, std::int64_t cleaned_size,
                                                std::int64_t now_ms) {
  const std::int64_t base = segments_.at(first).base_offset();
  if (cleaned_size == 0) {
    // Nothing kept: delete the group, oldest first.
    for (auto& old : segments_.replace(first, count, nullptr)) {
      size_bytes_ -= old->size();
      old->remove();
    }
    if (!io::sync_dir(dir_)) return Unexpected{LogError::storage_error};
    return {};
  }
  std::error_code ec;
  std::filesystem::rename(files::cleaned_log_path(dir_, base), files::swap_log_path(dir_, base), ec);
  if (ec || !io::sync_dir(dir_)) return Unexpected{LogError::storage_error};
  // Committed. Fetch responses holding the old files keep their descriptors.
  for (std::size_t i = first; i < first + count; ++i) segments_.at(i).remove();
  std::filesystem::rename(files::swap_log_path(dir_, base), files::log_path(dir_, base), ec);
  if (ec || !io::sync_dir(dir_)) return Unexpected{LogError::storage_error};

  auto opened = Segment::open(dir_, base, static_cast<std::size_t>(config_.segment_index_bytes),
                              config_.index_interval_bytes, /*writable=*/true, now_ms);
  if (!opened) return Unexpected{opened.error()};
  auto segment = std::move(*opened);
  const auto recovered = segment->recover();
  if (!recovered) return Unexpected{recovered.error()};
  if (recovered->truncated_bytes > 0) return Unexpected{LogError::corrupt_message};
  if (auto r = segment->seal(); !r) return r;
  if (auto r = segment->sync(); !r) return r;
  size_bytes_ += segment->size();
  for (auto& old : segments_.replace(first, count, std::move(segment))) size_bytes_ -= old->size();
  return {};
}

}  // namespace conveyor::log
