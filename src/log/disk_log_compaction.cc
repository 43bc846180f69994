// DiskLog's compaction: planning a pass of Kafka's log cleaner over a
// partition's closed segments and swapping in what it cleaned (the file work,
// which may run on the cleaner thread, is in log_cleaner.cc). What the pass keeps is
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
  const std::int64_t stable = last_stable_offset();
  for (std::size_t i = 0; i < active; ++i) {
    const Segment& segment = segments_.at(i);
    // Kafka's rules: nothing at or after the first unstable offset (an open
    // transaction's records may yet be aborted), and no segment whose largest
    // timestamp is within min.compaction.lag.ms of now, nor anything after.
    if (segment.next_offset() > stable) return i;
    if (config_.min_compaction_lag_ms > 0 && segment.max_timestamp() >= 0 &&
        !elapsed_at_least(now_ms, segment.max_timestamp(), config_.min_compaction_lag_ms)) {
      return i;
    }
  }
  return active;
}

std::optional<CompactionPlan> DiskLog::candidate_plan(std::int64_t now_ms, bool& due) const {
  due = false;
  if (!config_.cleanup_compact) return std::nullopt;
  const std::size_t end = first_uncleanable_segment(now_ms);
  CompactionPlan plan;
  plan.dir = dir_;
  plan.now_ms = now_ms;
  plan.delete_retention_ms = config_.delete_retention_ms;
  plan.first_uncleanable_offset = segments_.at(end).base_offset();
  // Aborted transactions' records are no one's latest value: the cleaner
  // ignores them for the key map and drops them.
  for (const auto& a : aborted_transactions(log_start_offset_, plan.first_uncleanable_offset)) {
    plan.aborted.push_back(AbortedRange{a.producer_id, a.first_offset, a.last_offset});
  }
  plan.first_dirty_offset = cleaner_offset_;
  std::uint64_t clean_bytes = 0, dirty_bytes = 0;
  for (std::size_t i = 0; i < end; ++i) {
    const Segment& segment = segments_.at(i);
    (segment.next_offset() <= cleaner_offset_ ? clean_bytes : dirty_bytes) += segment.size();
  }
  const std::uint64_t total = clean_bytes + dirty_bytes;
  plan.dirty_ratio = total == 0 ? 0.0 : static_cast<double>(dirty_bytes) / static_cast<double>(total);
  const bool dirty_enough = dirty_bytes > 0 && plan.dirty_ratio >= config_.min_cleanable_dirty_ratio;
  const bool tombstones_due = tombstones_cleaned_at_ != INT64_MAX &&
                              elapsed_at_least(now_ms, tombstones_cleaned_at_, config_.delete_retention_ms);
  due = end > 0 && (dirty_enough || tombstones_due);
  if (!due) return plan;
  // Only a pass that runs opens the segments (a released one is reopened;
  // the plan keeps the handles while the pass runs).
  for (std::size_t i = 0; i < end; ++i) {
    const Segment& segment = segments_.at(i);
    const bool clean = segment.next_offset() <= cleaner_offset_;
    const auto view = cleaner::view_of(segment);
    if (!view.file) {  // cannot read it now: no pass
      due = false;
      return std::nullopt;
    }
    plan.sources.push_back(SourceSegment{view, clean, clean ? cleaner::modified_ms(view) : now_ms});
  }
  plan.groups = cleaner::group_by_size(plan.sources, config_.segment_bytes);
  return plan;
}

std::optional<CompactionPlan> DiskLog::plan_compaction(std::int64_t now_ms) {
  if (closed_ || offline() || compaction_in_flight_) return std::nullopt;
  bool due = false;
  auto plan = candidate_plan(now_ms, due);
  release_idle_segments();  // the plan holds its own handles
  if (!due) return std::nullopt;
  compaction_in_flight_ = true;
  return plan;
}

Result<CompactionStats, LogError> DiskLog::finish_compaction(const CompactionPlan& plan,
                                                            Result<CompactionWork, LogError> work,
                                                            std::int64_t now_ms) {
  compaction_in_flight_ = false;
  auto discard = [&](std::size_t from) {
    std::error_code ec;
    for (std::size_t g = from; work && g < work->cleaned.size(); ++g) {
      if (work->cleaned[g].size > 0) std::filesystem::remove(files::cleaned_log_path(dir_, work->cleaned[g].base_offset), ec);
    }
  };
  if (!work) return Unexpected{work.error()};
  if (closed_ || offline()) {
    discard(0);
    return Unexpected{LogError::storage_error};
  }
  CompactionStats stats = work->stats;
  bool all_installed = true;
  std::int64_t tombstones_cleaned_at = INT64_MAX;
  for (std::size_t g = 0; g < work->groups.size(); ++g) {
    const auto [first, last] = work->groups[g];
    const CleanedSegment& cleaned = work->cleaned[g];
    // The group's segments must still be in the log, unchanged.
    const std::size_t at = segments_.index_of(plan.sources[first].segment.base_offset);
    bool unchanged = at < segments_.size() && at + (last - first) < segments_.size();
    for (std::size_t j = first; unchanged && j < last; ++j) {
      const Segment& now = segments_.at(at + (j - first));
      unchanged = now.id() == plan.sources[j].segment.segment_id;
    }
    if (!unchanged) {
      all_installed = false;
      std::error_code ec;
      if (cleaned.size > 0) std::filesystem::remove(files::cleaned_log_path(dir_, cleaned.base_offset), ec);
      continue;
    }
    if (auto r = install_cleaned(at, last - first, static_cast<std::int64_t>(cleaned.size), now_ms); !r) {
      offline_ = true;
      discard(g + 1);
      spdlog::error("log {}: swapping in compacted segment {} failed; the log is offline", dir_.string(),
                    cleaned.base_offset);
      return Unexpected{r.error()};
    }
    if (cleaned.has_tombstones) tombstones_cleaned_at = std::min(tombstones_cleaned_at, cleaned.cleaned_at_ms);
  }
  if (all_installed) {
    cleaner_offset_ = std::max(cleaner_offset_, work->end_offset);
    tombstones_cleaned_at_ = tombstones_cleaned_at;
  }
  stats.cleaned = true;
  if (auto r = checkpoint(); !r) return Unexpected{r.error()};
  spdlog::info("log {}: compacted {} segments into {} below offset {}: {} of {} records removed, {} -> {} bytes{}{}",
               dir_.string(), stats.segments_read, stats.segments_written, stats.first_uncleanable_offset,
               stats.records_removed, stats.records_read, stats.bytes_read, stats.bytes_written,
               all_installed ? "" : " (some groups discarded: their segments changed meanwhile)",
               work->end_offset < plan.first_uncleanable_offset
                   ? " (the key map filled: log.cleaner.dedupe.buffer.size; the rest waits for the next pass)"
                   : "");
  return stats;
}

Result<CompactionStats, LogError> DiskLog::compact(std::int64_t now_ms) {
  if (closed_ || offline()) return Unexpected{LogError::storage_error};
  if (compaction_in_flight_) return CompactionStats{};
  bool due = false;
  auto plan = candidate_plan(now_ms, due);
  release_idle_segments();  // the plan holds its own handles
  if (!due) {
    CompactionStats stats;
    if (plan) {
      stats.dirty_ratio = plan->dirty_ratio;
      stats.first_uncleanable_offset = plan->first_uncleanable_offset;
    }
    return stats;
  }
  compaction_in_flight_ = true;
  return finish_compaction(*plan, cleaner::run(*plan), now_ms);
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
