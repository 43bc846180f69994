#include "conveyor/log/disk_log.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "conveyor/base/wall_clock.h"
#include "conveyor/log/batch_validator.h"
#include "conveyor/log/checkpoint.h"
#include "conveyor/log/file_io.h"
#include "conveyor/log/flush_scheduler.h"
#include "conveyor/log/log_cleaner.h"
#include "conveyor/log/log_files.h"

namespace conveyor::log {

namespace {

constexpr const char* kRecoveryPointKey = "recovery_point";
constexpr const char* kLogStartOffsetKey = "log_start_offset";
constexpr const char* kCleanerOffsetKey = "cleaner_offset";

// now - since > limit (or >= with `or_equal`), without overflow; a limit of INT64_MAX never passes.
bool elapsed_more_than(std::int64_t now, std::int64_t since, std::int64_t limit,
                       bool or_equal = false) {
  if (limit == INT64_MAX || now < since) return false;
  const std::uint64_t elapsed = static_cast<std::uint64_t>(now) - static_cast<std::uint64_t>(since);
  const auto l = static_cast<std::uint64_t>(std::max<std::int64_t>(limit, 0));
  return or_equal ? elapsed >= l : elapsed > l;
}

}  // namespace

LogConfig sanitize(LogConfig config) {
  config.segment_bytes =
      std::clamp<std::int64_t>(config.segment_bytes, protocol::kRecordBatchHeaderSize, INT32_MAX);
  config.segment_index_bytes =
      std::max<std::int32_t>(config.segment_index_bytes, TimeIndex::kEntrySize);
  config.index_interval_bytes = std::max<std::int32_t>(config.index_interval_bytes, 0);
  config.flush_messages = std::max<std::int64_t>(config.flush_messages, 1);
  config.flush_ms = std::max<std::int64_t>(config.flush_ms, 0);
  config.segments_open_max = std::max(config.segments_open_max, 1);
  return config;
}

Result<std::unique_ptr<PartitionLog>, LogError> PartitionLog::open(std::filesystem::path dir,
                                                                   LogConfig config,
                                                                   FlushScheduler* flusher) {
  auto log = DiskLog::open(std::move(dir), config, flusher, wall_clock_ms());
  if (!log) return Unexpected{log.error()};
  return std::unique_ptr<PartitionLog>(std::move(*log));
}

DiskLog::DiskLog(std::filesystem::path dir, LogConfig config, FlushScheduler* flusher)
    : dir_(std::move(dir)), config_(sanitize(config)), flusher_(flusher) {}

DiskLog::~DiskLog() {
  close();
}

Result<std::unique_ptr<DiskLog>, LogError> DiskLog::open(std::filesystem::path dir,
                                                         LogConfig config, FlushScheduler* flusher,
                                                         std::int64_t now_ms) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Unexpected{LogError::storage_error};
  std::unique_ptr<DiskLog> log(new DiskLog(std::move(dir), config, flusher));
  const int dir_fd = io::open_dir(log->dir_);
  if (dir_fd < 0) return Unexpected{LogError::storage_error};
  log->dir_handle_ = std::make_shared<const FileHandle>(dir_fd, log->dir_.string());
  if (auto r = log->recover_segments(now_ms); !r) {
    log->closed_ = true;
    return Unexpected{r.error()};
  }
  if (auto r = log->load_producer_state(); !r) {
    log->closed_ = true;
    return Unexpected{r.error()};
  }
  log->last_flush_ms_ = now_ms;
  log->preallocate_ =
      log->config_.preallocate && flusher != nullptr && io::overwrites_are_cheap(log->dir_);
  log->release_idle_segments();
  return log;
}

Result<void, LogError> DiskLog::recover_segments(std::int64_t now_ms) {
  // 1. What is in the directory: segments, orphan indexes, leftovers. A
  // compacted segment that was committed (`.log.swap`) replaces the old ones.
  const auto swapped = cleaner::complete_swaps(dir_);
  if (!swapped) return Unexpected{swapped.error()};
  std::vector<std::int64_t> bases;
  std::set<std::int64_t> index_bases;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (files::is_leftover(name)) {
      std::filesystem::remove(entry.path(), ec);
    } else if (const auto base = files::parse_base_offset(name, files::kLogSuffix)) {
      bases.push_back(*base);
    } else if (const auto ib = files::parse_base_offset(name, files::kIndexSuffix)) {
      index_bases.insert(*ib);
    } else if (const auto tb = files::parse_base_offset(name, files::kTimeIndexSuffix)) {
      index_bases.insert(*tb);
    }
  }
  if (ec) return Unexpected{LogError::storage_error};
  std::sort(bases.begin(), bases.end());
  for (const std::int64_t base : index_bases) {
    if (!std::binary_search(bases.begin(), bases.end(), base)) {
      std::filesystem::remove(files::index_path(dir_, base), ec);
      std::filesystem::remove(files::time_index_path(dir_, base), ec);
    }
  }

  // 2. Where recovery starts.
  const auto values = Checkpoint(files::checkpoint_path(dir_)).read();
  std::int64_t recovery_point = 0;
  if (values) {
    if (auto it = values->find(kRecoveryPointKey); it != values->end())
      recovery_point = std::max<std::int64_t>(it->second, 0);
    if (auto it = values->find(kLogStartOffsetKey); it != values->end())
      log_start_offset_ = std::max<std::int64_t>(it->second, 0);
    if (auto it = values->find(kCleanerOffsetKey); it != values->end())
      cleaner_offset_ = std::max<std::int64_t>(it->second, 0);
  }
  const bool marker = std::filesystem::exists(files::clean_shutdown_path(dir_), ec);
  const bool clean = marker && swapped->empty();
  recovery_.clean_shutdown = clean;
  std::size_t first_to_recover = bases.size();
  if (!clean) {
    first_to_recover = 0;
    for (std::size_t i = 0; i < bases.size(); ++i) {
      if (bases[i] <= recovery_point) first_to_recover = i;
    }
  }

  // 3. Open every segment; scan those at or after the recovery point.
  const auto index_bytes = static_cast<std::size_t>(config_.segment_index_bytes);
  for (std::size_t i = 0; i < bases.size(); ++i) {
    const bool last = i + 1 == bases.size();
    bool scan = i >= first_to_recover ||
                std::find(swapped->begin(), swapped->end(), bases[i]) != swapped->end();
    auto opened = Segment::open(dir_, bases[i], index_bytes, config_.index_interval_bytes,
                                last || scan, now_ms);
    if (!opened) return Unexpected{opened.error()};
    auto segment = std::move(*opened);
    if (!scan) {
      const auto loaded = segment->load();
      if (!loaded) return Unexpected{loaded.error()};
      if (!*loaded) {
        spdlog::warn("log {}: segment {} has inconsistent indexes; rebuilding them", dir_.string(),
                     bases[i]);
        scan = true;
      }
    }
    bool truncated = false;
    if (scan) {
      const auto recovered = segment->recover();
      if (!recovered) return Unexpected{recovered.error()};
      ++recovery_.segments_recovered;
      // Zeros after the data: the usual end of an active segment after a crash
      // with log.preallocate, and of a segment that rolled shortly before it
      // (the trim of its zeros was not durable yet). In an older segment they
      // are harmless only if nothing is missing: the next segment starts
      // where this one's data ends.
      const bool zeros_only_past_the_data =
          recovered->zero_tail &&
          (last || bases[i + 1] == segment->next_offset());
      if (recovered->truncated_bytes > 0 && zeros_only_past_the_data) {
        recovery_.bytes_truncated += recovered->truncated_bytes;
        spdlog::info(
            "log {}: segment {} trimmed to {} bytes ({} bytes of zeros after offset {}: written "
            "ahead, "
            "or never written)",
            dir_.string(), bases[i], recovered->valid_bytes, recovered->truncated_bytes,
            segment->next_offset());
      } else if (recovered->truncated_bytes > 0) {
        truncated = true;
        recovery_.bytes_truncated += recovered->truncated_bytes;
        spdlog::warn(
            "log {}: segment {} truncated to {} bytes ({} bytes torn or corrupt after offset {})",
            dir_.string(), bases[i], recovered->valid_bytes, recovered->truncated_bytes,
            segment->next_offset());
      }
      if (!last) {
        if (auto r = segment->seal(); !r) return r;
      }
    } else {
      ++recovery_.segments_loaded;
    }
    if (!segments_.empty() && segment->base_offset() < segments_.active().next_offset()) {
      spdlog::warn("log {}: segment {} overlaps the one before it; dropping it and later segments",
                   dir_.string(), bases[i]);
      truncated = true;
      segment->remove();
      ++recovery_.segments_dropped;
    } else {
      size_bytes_ += segment->size();
      segments_.push_back(std::move(segment));
    }
    if (truncated && !last) {
      // The log must stay contiguous: what followed a corrupt segment goes.
      for (std::size_t j = i + 1; j < bases.size(); ++j) {
        spdlog::warn("log {}: dropping segment {} after a corrupt segment", dir_.string(),
                     bases[j]);
        std::filesystem::remove(files::log_path(dir_, bases[j]), ec);
        std::filesystem::remove(files::index_path(dir_, bases[j]), ec);
        std::filesystem::remove(files::time_index_path(dir_, bases[j]), ec);
        ++recovery_.segments_dropped;
      }
      break;
    }
  }
  // The active segment's indexes must be writable (it may have been sealed above).
  if (!segments_.empty()) {
    Segment& active = segments_.active();
    if (auto r = active.make_writable(); !r) return r;
  }

  // 4. A log start offset beyond the data (all of it deleted) starts afresh there.
  if (!segments_.empty() && log_start_offset_ > segments_.active().next_offset()) {
    while (!segments_.empty()) {
      size_bytes_ -= segments_.active().size();
      auto segment = segments_.pop_back();
      segment->remove();
    }
  }
  if (segments_.empty()) {
    auto created =
        Segment::create(dir_, log_start_offset_, index_bytes, config_.index_interval_bytes, now_ms);
    if (!created) return Unexpected{created.error()};
    segments_.push_back(std::move(*created));
  }
  log_start_offset_ = std::max(log_start_offset_, segments_.front().base_offset());
  cleaner_offset_ = std::clamp(cleaner_offset_, log_start_offset_, log_end_offset());
  recovery_point = clean ? log_end_offset() : std::min(recovery_point, log_end_offset());
  flush_state_->durable_offset.store(recovery_point);
  const std::size_t from = segments_.index_of(recovery_point);
  unflushed_from_ =
      from < segments_.size() ? segments_.at(from).base_offset() : segments_.front().base_offset();
  dir_dirty_ = true;

  if (marker) {
    // Durably forget the clean marker before anything is appended.
    std::filesystem::remove(files::clean_shutdown_path(dir_), ec);
    if (ec || !io::sync_dir(dir_)) return Unexpected{LogError::storage_error};
  }
  return {};
}

Result<void, LogError> DiskLog::roll(std::int64_t now_ms) {
  Segment& active = segments_.active();
  if (active.empty()) return {};  // nothing to roll away from
  if (auto r = active.seal(); !r) return r;
  auto created = Segment::create(dir_, active.next_offset(),
                                 static_cast<std::size_t>(config_.segment_index_bytes),
                                 config_.index_interval_bytes, now_ms);
  if (!created) return Unexpected{created.error()};
  segments_.push_back(std::move(*created));
  dir_dirty_ = true;
  snapshot_producers(/*sync=*/false);
  // The newest snapshot and one before it (in case the newest is lost) are
  // all a restart reads; retention alone would keep one per segment forever
  // in a compacted log.
  delete_snapshots_below(previous_snapshot_offset_);
  previous_snapshot_offset_ = log_end_offset();
  // Kafka also flushes the rolled segment here, in the background. Not
  // done: one FlushScheduler serves every log, so an fdatasync of up to a
  // segment of acks=1 data would hold up the acks=all group commits queued
  // behind it for seconds. The next flush of this log covers the segment.
  release_idle_segments();
  return {};
}

bool DiskLog::note_use(const Segment& segment) {
  segment.mark_used(++use_clock_);
  return !segment.files_open();
}

void DiskLog::release_idle_segments() {
  std::vector<Segment*> open;
  for (const auto& segment : segments_) {
    if (segment.get() != &segments_.active() && segment->files_open())
      open.push_back(segment.get());
  }
  const auto keep = static_cast<std::size_t>(config_.segments_open_max);  // >= 1 (sanitize)
  if (open.size() <= keep) return;
  std::sort(open.begin(), open.end(),
            [](const Segment* a, const Segment* b) { return a->last_used() < b->last_used(); });
  for (std::size_t i = 0; i + keep < open.size(); ++i) open[i]->release_files();
}

Result<void, LogError> DiskLog::maybe_roll(std::size_t bytes, std::size_t batches,
                                           std::int64_t last_offset, std::int64_t max_timestamp,
                                           std::int64_t now_ms) {
  const Segment& active = segments_.active();
  if (active.empty()) return {};
  const bool full = active.size() + bytes > static_cast<std::uint64_t>(config_.segment_bytes);
  const bool old = config_.segment_ms != INT64_MAX &&
                   active.time_waited_for_roll(now_ms, max_timestamp) > config_.segment_ms;
  const bool index_full = active.index_full(batches);
  const bool offsets_overflow = last_offset - active.base_offset() > INT32_MAX;
  if (!(full || old || index_full || offsets_overflow)) return {};
  return roll(now_ms);
}

Result<AppendResult, LogError> DiskLog::append(std::span<std::uint8_t> batches,
                                               std::int32_t leader_epoch, std::int64_t now_ms,
                                               AppendOrigin origin) {
  if (closed_ || offline()) return Unexpected{LogError::storage_error};
  auto validated = validate_batches(batches, config_, now_ms);
  if (!validated) return Unexpected{validated.error()};
  if (batches.size() > static_cast<std::size_t>(config_.segment_bytes)) {
    return Unexpected{LogError::record_list_too_large};
  }

  const std::int64_t base_offset = log_end_offset();
  std::int64_t next = base_offset;
  std::int64_t records = 0;
  const bool log_append_time = config_.timestamp_type == protocol::TimestampType::log_append_time;
  std::int64_t max_timestamp = log_append_time ? now_ms : -1;
  ProducerAppend producer_append(producers_);
  for (const auto& batch : *validated) {
    if (!log_append_time) max_timestamp = std::max(max_timestamp, batch.header.max_timestamp);
    if (next > INT64_MAX - batch.header.last_offset_delta - 1)
      return Unexpected{LogError::invalid_record};
    const auto checked =
        producer_append.add(batch.header, next, origin == AppendOrigin::coordinator);
    if (!checked) return Unexpected{checked.error()};
    if (const auto& original = checked.value()) {
      // A retry of a batch already written: answer with where it went (Kafka
      // answers the whole request so, whatever else it holds).
      AppendResult duplicate;
      duplicate.duplicate = true;
      duplicate.base_offset = original->first_offset;
      duplicate.last_offset = original->last_offset;
      duplicate.log_start_offset = log_start_offset_;
      return duplicate;
    }
    next += batch.header.last_offset_delta + std::int64_t{1};
    records += batch.header.record_count;
  }
  if (auto r = maybe_roll(batches.size(), validated->size(), next - 1, max_timestamp, now_ms); !r) {
    offline_ = true;
    return Unexpected{r.error()};
  }

  // Assign offsets in place (outside the CRC, except for LogAppendTime).
  std::vector<Segment::BatchMeta> metas;
  metas.reserve(validated->size());
  next = base_offset;
  for (const auto& batch : *validated) {
    const auto bytes = batches.subspan(batch.position, batch.header.size_in_bytes());
    protocol::set_base_offset(bytes, next);
    protocol::set_partition_leader_epoch(bytes, leader_epoch);
    if (log_append_time) protocol::set_log_append_time(bytes, now_ms);
    next += batch.header.last_offset_delta + std::int64_t{1};
    metas.push_back(Segment::BatchMeta{next - 1,
                                       log_append_time ? now_ms : batch.header.max_timestamp,
                                       static_cast<std::uint32_t>(batch.header.size_in_bytes())});
  }
  if (auto r = segments_.active().append(batches, metas); !r) {
    offline_ = true;
    return Unexpected{r.error()};
  }
  size_bytes_ += batches.size();
  std::move(producer_append).commit(producers_);

  messages_since_flush_ += records;
  if (messages_since_flush_ >= config_.flush_messages ||
      elapsed_more_than(now_ms, last_flush_ms_, config_.flush_ms, /*or_equal=*/true)) {
    last_flush_ms_ = now_ms;
    request_flush({});
  }

  AppendResult result;
  result.base_offset = base_offset;
  result.last_offset = next - 1;
  result.log_append_time = log_append_time ? now_ms : -1;
  result.log_start_offset = log_start_offset_;
  result.record_count = static_cast<std::int32_t>(std::min<std::int64_t>(records, INT32_MAX));
  return result;
}

Result<ReadResult, LogError> DiskLog::read(std::int64_t offset, std::uint32_t max_bytes,
                                           bool min_one_batch,
                                           std::optional<std::int64_t> max_offset) {
  if (closed_) return Unexpected{LogError::storage_error};
  const std::int64_t end = log_end_offset();
  if (offset < log_start_offset_ || offset > end) return Unexpected{LogError::offset_out_of_range};
  ReadResult result;
  result.records = protocol::Records::empty();
  result.high_watermark = high_watermark();
  result.log_start_offset = log_start_offset_;
  result.last_stable_offset = last_stable_offset();
  const std::int64_t limit = std::min(end, max_offset.value_or(end));
  if (offset >= limit) return result;
  std::size_t i = segments_.index_of(offset);
  if (i == segments_.size()) i = 0;
  for (; i < segments_.size(); ++i) {
    const bool reopened = note_use(segments_.at(i));
    const auto slice = segments_.at(i).read(offset, max_bytes, min_one_batch, limit);
    if (reopened) release_idle_segments();  // the slice keeps its own handle
    if (!slice) return Unexpected{slice.error()};
    if (slice->has_value()) {
      if ((*slice)->size > 0) result.records = protocol::Records::file(std::move(**slice));
      return result;
    }
  }
  return result;
}

std::optional<OffsetAndTimestamp> DiskLog::offset_for_timestamp(std::int64_t timestamp) {
  std::optional<OffsetAndTimestamp> result;
  bool reopened = false;
  std::size_t i = segments_.index_of(log_start_offset_);
  if (i == segments_.size()) i = 0;
  for (; i < segments_.size(); ++i) {
    const Segment& segment = segments_.at(i);
    if (segment.max_timestamp() < timestamp) continue;
    reopened = note_use(segment) || reopened;
    const auto found = segment.find_timestamp(timestamp, log_start_offset_);
    if (!found) break;
    if (found->has_value()) {
      const auto [offset, record_timestamp] =
          segment.first_record_at_or_after(**found, timestamp, log_start_offset_);
      result = OffsetAndTimestamp{offset, record_timestamp};
      break;
    }
  }
  if (reopened) release_idle_segments();
  return result;
}

std::optional<OffsetAndTimestamp> DiskLog::max_timestamp() {
  std::optional<OffsetAndTimestamp> best;
  for (const auto& segment : segments_) {
    if (segment->next_offset() <= log_start_offset_ || segment->max_timestamp() < 0) continue;
    if (!best || segment->max_timestamp() > best->timestamp) {
      best = OffsetAndTimestamp{std::max(segment->offset_of_max_timestamp(), log_start_offset_),
                                segment->max_timestamp()};
    }
  }
  return best;
}

void DiskLog::delete_front_segment() {
  size_bytes_ -= segments_.front().size();
  const std::int64_t base = segments_.front().base_offset();
  segments_.pop_front()->remove();
  std::error_code ec;
  std::filesystem::remove(files::txn_index_path(dir_, base), ec);
  forget_aborted_below(segments_.front().base_offset());
}

Result<std::int64_t, LogError> DiskLog::delete_records_before(std::int64_t offset) {
  if (closed_ || offline()) return Unexpected{LogError::storage_error};
  if (offset < 0 || offset > high_watermark()) return Unexpected{LogError::offset_out_of_range};
  if (offset <= log_start_offset_) return log_start_offset_;
  log_start_offset_ = offset;
  if (auto r = checkpoint(); !r) return Unexpected{r.error()};
  if (!segments_.active().empty() && segments_.active().next_offset() <= log_start_offset_) {
    if (auto r = roll(wall_clock_ms()); !r) return Unexpected{r.error()};
  }
  while (segments_.size() > 1 && segments_.at(1).base_offset() <= log_start_offset_)
    delete_front_segment();
  delete_snapshots_below(segments_.front().base_offset());
  return log_start_offset_;
}

Result<std::size_t, LogError> DiskLog::enforce_retention(std::int64_t now_ms) {
  if (closed_ || offline()) return Unexpected{LogError::storage_error};
  std::size_t deleted = 0;
  while (segments_.size() > 1) {
    const Segment& front = segments_.front();
    const bool below_start = segments_.at(1).base_offset() <= log_start_offset_;
    const bool expired = config_.cleanup_delete && config_.retention_ms >= 0 &&
                         front.max_timestamp() >= 0 &&
                         elapsed_more_than(now_ms, front.max_timestamp(), config_.retention_ms);
    const bool over_size =
        config_.cleanup_delete && config_.retention_bytes >= 0 &&
        size_bytes_ - front.size() >= static_cast<std::uint64_t>(config_.retention_bytes);
    if (!(below_start || expired || over_size)) break;
    delete_front_segment();
    ++deleted;
  }
  if (deleted > 0) delete_snapshots_below(segments_.front().base_offset());
  if (deleted > 0 && segments_.front().base_offset() > log_start_offset_) {
    log_start_offset_ = segments_.front().base_offset();
    if (auto r = checkpoint(); !r) return Unexpected{r.error()};
  }
  return deleted;
}

void DiskLog::request_flush(std::function<void(std::int64_t durable_end_offset)> done) {
  std::vector<FlushTarget> targets;
  bool reopened = false;
  Segment& active = segments_.active();
  for (const auto& segment : segments_) {
    if (segment->base_offset() < unflushed_from_) continue;
    reopened = reopened || !segment->files_open();  // released before its flush: file() reopens it
    if (segment.get() != &active) {
      FlushTarget sealed = FlushTarget::whole(segment->file());
      sealed.preallocation = segment->preallocation();  // null unless it failed
      targets.push_back(std::move(sealed));
      targets.push_back(FlushTarget::whole(segment->offset_index_file()));
      targets.push_back(FlushTarget::whole(segment->time_index_file()));
      continue;
    }
    // The active segment: the bytes written since the previous request.
    FlushTarget target = FlushTarget::whole(segment->file());
    target.preallocation = segment->preallocation();
    target.from = flush_requested_base_ == segment->base_offset() ? flush_requested_position_ : 0;
    target.to = segment->size();
    targets.push_back(std::move(target));
  }
  flush_requested_base_ = active.base_offset();
  flush_requested_position_ = active.size();
  // A segment that could not be reopened leaves a null handle: the flush fails.
  const bool all_named =
      std::all_of(targets.begin(), targets.end(), [](const auto& t) { return t.file != nullptr; });
  if (reopened) release_idle_segments();  // the request holds its own handles
  for (auto& txn_index : unsynced_txn_indexes_)
    targets.push_back(FlushTarget::whole(std::move(txn_index)));
  unsynced_txn_indexes_.clear();
  if (dir_dirty_) targets.push_back(FlushTarget::whole(dir_handle_));
  if (preallocate_ && all_named) preallocate_active();
  unflushed_from_ = segments_.active().base_offset();
  dir_dirty_ = false;
  messages_since_flush_ = 0;

  const std::int64_t end = log_end_offset();
  auto callback = [state = flush_state_, done = std::move(done)](std::int64_t durable) {
    if (durable >= 0) {
      std::int64_t seen = state->durable_offset.load();
      while (seen < durable && !state->durable_offset.compare_exchange_weak(seen, durable)) {
      }
    } else {
      state->failed.store(true);
    }
    if (done) done(durable);
  };
  if (!all_named) {
    callback(-1);
    return;
  }
  if (flusher_ != nullptr) {
    flusher_->request_flush(std::move(targets), end, std::move(callback));
    return;
  }
  bool ok = true;
  for (const auto& target : targets) ok = (target.file && io::sync(target.file->fd())) && ok;
  callback(ok ? end : -1);
}

void DiskLog::preallocate_active() {
  // 4 MiB steps: a step costs one background fdatasync of its zeros, and
  // at most two steps (8 MiB) of zeros lie past the data of a segment.
  constexpr std::uint64_t kPreallocateStep = 4u << 20;
  Segment& active = segments_.active();
  const auto asked =
      active.preallocate(kPreallocateStep, static_cast<std::uint64_t>(config_.segment_bytes));
  if (!asked) {
    // Only a speed-up (the zeros are written in the background, so this is
    // the next flush after a write of them failed): the data is intact, and
    // flushes past the zeros sync the file whole.
    spdlog::warn("log {}: cannot preallocate segment {}; continuing without", dir_.string(),
                 active.base_offset());
    preallocate_ = false;
    return;
  }
  if (*asked) flusher_->instantiate(active.preallocation());
}

std::int64_t DiskLog::recovery_point() const {
  return flush_state_->durable_offset.load();
}

Result<void, LogError> DiskLog::checkpoint() {
  if (offline()) return Unexpected{LogError::storage_error};
  Checkpoint::Values values{{kRecoveryPointKey, recovery_point()},
                            {kLogStartOffsetKey, log_start_offset_}};
  if (config_.cleanup_compact || cleaner_offset_ > log_start_offset_)
    values[kCleanerOffsetKey] = cleaner_offset_;
  return Checkpoint(files::checkpoint_path(dir_)).write(values);
}

void DiskLog::close() {
  if (closed_) return;
  closed_ = true;
  if (offline()) return;
  // Seal the active segment, make everything durable, then say so.
  bool ok = static_cast<bool>(segments_.active().seal());
  // Everything not yet confirmed durable: a flush requested earlier may still
  // be queued, and the clean marker written below must not depend on it.
  const std::int64_t durable = recovery_point();
  for (const auto& segment : segments_) {
    if (segment->base_offset() >= unflushed_from_ || segment->next_offset() > durable) {
      ok = segment->sync() && ok;
      const auto txn_index = files::txn_index_path(dir_, segment->base_offset());
      if (std::error_code ec; std::filesystem::exists(txn_index, ec))
        ok = io::sync_file(txn_index) && ok;
    }
  }
  for (const auto& txn_index : unsynced_txn_indexes_) ok = io::sync(txn_index->fd()) && ok;
  unsynced_txn_indexes_.clear();
  ok = ok && io::sync(dir_handle_->fd());
  if (!ok) {
    spdlog::error("log {}: flush on close failed; the next open will recover", dir_.string());
    return;
  }
  flush_state_->durable_offset.store(log_end_offset());
  snapshot_producers(/*sync=*/true);
  if (!checkpoint()) {
    spdlog::error("log {}: cannot write the checkpoint on close", dir_.string());
    return;
  }
  const int fd = io::open_rw(files::clean_shutdown_path(dir_), true);
  if (fd >= 0) {
    ::close(fd);
    if (!io::sync_dir(dir_))
      spdlog::error("log {}: cannot sync the directory on close", dir_.string());
  }
}

void DiskLog::remove() {
  closed_ = true;
  while (segments_.size() > 1) delete_front_segment();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
  if (ec) spdlog::error("log {}: cannot remove the directory: {}", dir_.string(), ec.message());
}

void DiskLog::update_config(const LogConfig& config) {
  config_ = sanitize(config);
  preallocate_ = config_.preallocate && flusher_ != nullptr && io::overwrites_are_cheap(dir_);
  segments_.active().set_index_interval_bytes(config_.index_interval_bytes);
}

}  // namespace conveyor::log
