#pragma once
// DiskLog: the PartitionLog on local disk — a SegmentSet in one partition
// directory, a checkpoint file and group commit through a FlushScheduler.
//
// Invariants (between calls, on the owning shard):
//   - segments are contiguous in offset order; the last is the active one,
//     the only one with writable (preallocated) indexes;
//   - log_start_offset() lies in [first segment base, log_end_offset()];
//   - recovery_point() <= log_end_offset(); every segment wholly below the
//     recovery point has been fdatasync'd with its trimmed indexes, so open()
//     trusts it (cheap index checks, tail scan) and scans only from the
//     segment holding the recovery point — or nothing after a clean close,
//     which leaves files::kCleanShutdownName behind (removed, durably, on open).
//
// Durability bookkeeping: `unflushed_from_` is the base of the first segment
// a flush must still cover; request_flush() names the log files of those
// segments (and the indexes of the rolled ones, and the directory when a
// segment was created) and moves it to the active segment at once. That is
// safe because the scheduler completes requests in order.
//
// Preallocation (`preallocate`, on ext4/XFS with a FlushScheduler): a log that
// requests flushes keeps zeros written 4-8 MiB ahead of its active segment's
// data and names the active segment's bytes since its previous request as a
// range, so the scheduler can flush them as overwrites (flush_scheduler.h).
// Logs that never request a flush (acks=1 only) never write zeros.
//
// Blocking work: append and read only pwrite/pread. close, checkpoint,
// delete_records_before, enforce_retention and remove fsync or unlink files;
// compact reads and rewrites the closed segments (see log_cleaner.h).

#include <atomic>
#include <memory>

#include "conveyor/log/partition_log.h"
#include "conveyor/log/segment_set.h"

namespace conveyor::log {

class DiskLog final : public PartitionLog {
 public:
  struct RecoveryStats {
    std::size_t segments_loaded = 0;     // trusted (index checks + tail scan)
    std::size_t segments_recovered = 0;  // fully scanned, indexes rebuilt
    std::uint64_t bytes_truncated = 0;
    std::size_t segments_dropped = 0;            // after a corrupt segment that was not the last
    std::int64_t producer_snapshot_offset = -1;  // the snapshot loaded (-1: none)
    std::size_t producer_batches_replayed = 0;   // batch headers read after it
    bool clean_shutdown = false;
  };

  static Result<std::unique_ptr<DiskLog>, LogError> open(std::filesystem::path dir,
                                                         LogConfig config, FlushScheduler* flusher,
                                                         std::int64_t now_ms);
  ~DiskLog() override;

  Result<AppendResult, LogError> append(std::span<std::uint8_t> batches, std::int32_t leader_epoch,
                                        std::int64_t now_ms,
                                        AppendOrigin origin = AppendOrigin::client) override;
  Result<AppendResult, LogError> append_marker(const TxnMarker& marker, std::int32_t leader_epoch,
                                               std::int64_t now_ms) override;
  std::int64_t last_stable_offset() const override;
  std::vector<AbortedTxn> aborted_transactions(std::int64_t from, std::int64_t upto) const override;
  Result<ReadResult, LogError> read(std::int64_t offset, std::uint32_t max_bytes,
                                    bool min_one_batch,
                                    std::optional<std::int64_t> max_offset = std::nullopt) override;
  std::optional<OffsetAndTimestamp> offset_for_timestamp(std::int64_t timestamp) override;
  std::optional<OffsetAndTimestamp> max_timestamp() override;
  Result<std::int64_t, LogError> delete_records_before(std::int64_t offset) override;
  Result<std::size_t, LogError> enforce_retention(std::int64_t now_ms) override;
  Result<CompactionStats, LogError> compact(std::int64_t now_ms) override;
  std::optional<CompactionPlan> plan_compaction(std::int64_t now_ms) override;
  Result<CompactionStats, LogError> finish_compaction(const CompactionPlan& plan,
                                                      Result<CompactionWork, LogError> work,
                                                      std::int64_t now_ms) override;
  void request_flush(std::function<void(std::int64_t durable_end_offset)> done) override;
  std::int64_t recovery_point() const override;
  Result<void, LogError> checkpoint() override;
  void close() override;
  void remove() override;
  void update_config(const LogConfig& config) override;
  const ProducerStateTable& producers() const override { return producers_; }
  std::size_t expire_producers(std::int64_t now_ms, std::int64_t expiration_ms) override;

  std::int64_t log_start_offset() const override { return log_start_offset_; }
  std::int64_t log_end_offset() const override { return segments_.active().next_offset(); }
  std::int64_t high_watermark() const override { return log_end_offset(); }
  std::int64_t size_in_bytes() const override { return static_cast<std::int64_t>(size_bytes_); }
  std::size_t segment_count() const override { return segments_.size(); }
  const std::filesystem::path& dir() const override { return dir_; }

  const RecoveryStats& recovery_stats() const { return recovery_; }
  const SegmentSet& segments() const { return segments_; }
  const LogConfig& config() const { return config_; }
  // Offsets below this have been through a compaction pass (checkpointed).
  std::int64_t cleaner_offset() const { return cleaner_offset_; }

 private:
  // Shared with flush callbacks, which may outlive the log.
  struct FlushState {
    std::atomic<std::int64_t> durable_offset{0};
    std::atomic<bool> failed{false};
  };

  DiskLog(std::filesystem::path dir, LogConfig config, FlushScheduler* flusher);
  Result<void, LogError> recover_segments(std::int64_t now_ms);
  Result<void, LogError> maybe_roll(std::size_t bytes, std::size_t batches,
                                    std::int64_t last_offset, std::int64_t max_timestamp,
                                    std::int64_t now_ms);
  Result<void, LogError> roll(std::int64_t now_ms);
  // Closes the files of the least recently used sealed segments beyond
  // config_.segments_open_max (never the active segment). A released segment
  // not yet flushed is reopened by the request_flush that names it: fdatasync
  // through any descriptor of a file writes all of its dirty pages. Called
  // after a use reopened a segment, on roll and at open.
  void release_idle_segments();
  // Keeps zeros written ahead of the active segment's data (preallocate_).
  void preallocate_active();
  // Marks `segment` used now; true when its files were closed (the use reopens them).
  bool note_use(const Segment& segment);
  void delete_front_segment();
  // Producer state (disk_log_producers.cc): the newest valid snapshot, then
  // the batches after it; snapshots at roll and close.
  Result<void, LogError> load_producer_state();
  void snapshot_producers(bool sync);
  void delete_snapshots_below(std::int64_t offset);
  // Transactions (disk_log_transactions.cc): the aborted-transaction index.
  Result<void, LogError> load_aborted_transactions(std::int64_t replay_from);
  Result<void, LogError> record_aborted(const AbortedTxn& aborted, std::int64_t segment_base);
  void forget_aborted_below(std::int64_t offset);
  // A control batch met while replaying the log: its marker, if it is one.
  Result<void, LogError> replay_marker(const Segment& segment, std::uint64_t position,
                                       const protocol::RecordBatchHeader& header);
  // Compaction (disk_log_compaction.cc).
  std::size_t first_uncleanable_segment(std::int64_t now_ms) const;
  // The segments a pass would clean, and whether one is due (dirty ratio,
  // tombstones past delete.retention.ms); nullopt for logs not compacted.
  std::optional<CompactionPlan> candidate_plan(std::int64_t now_ms, bool& due) const;
  Result<void, LogError> install_cleaned(std::size_t first, std::size_t count,
                                         std::int64_t cleaned_size, std::int64_t now_ms);
  bool offline() const { return offline_ || flush_state_->failed.load(std::memory_order_relaxed); }

  std::filesystem::path dir_;
  LogConfig config_;
  FlushScheduler* flusher_;
  SegmentSet segments_;
  std::int64_t log_start_offset_ = 0;
  std::uint64_t size_bytes_ = 0;
  std::uint64_t use_clock_ = 0;  // orders segment uses for release_idle_segments
  std::shared_ptr<FlushState> flush_state_ = std::make_shared<FlushState>();
  std::shared_ptr<const FileHandle> dir_handle_;
  std::int64_t unflushed_from_ = 0;
  bool dir_dirty_ = false;
  bool preallocate_ = false;  // config_.preallocate, on a file system where it pays
  // Where the previous flush request ended in the segment with this base.
  std::int64_t flush_requested_base_ = -1;
  std::uint64_t flush_requested_position_ = 0;
  std::int64_t messages_since_flush_ = 0;
  std::int64_t last_flush_ms_ = 0;
  bool closed_ = false;
  bool offline_ = false;
  RecoveryStats recovery_;
  ProducerStateTable producers_;
  std::int64_t previous_snapshot_offset_ = 0;  // the last roll's snapshot: kept with the next
  // Aborted transactions by marker offset (the .txnindex files' entries).
  std::vector<AbortedTxn> aborted_;
  // .txnindex files written since the last flush request (it syncs them).
  std::vector<std::shared_ptr<const FileHandle>> unsynced_txn_indexes_;
  // Compaction: the end of the last pass (segments wholly below it are
  // clean), and the earliest clean time of a segment holding tombstones that
  // pass kept (INT64_MAX: none known; not persisted, so after a restart
  // such tombstones go with the next pass the dirty ratio starts).
  std::int64_t cleaner_offset_ = 0;
  std::int64_t tombstones_cleaned_at_ = INT64_MAX;
  bool compaction_in_flight_ = false;  // a plan is out (plan_compaction .. finish_compaction)
};

// LogConfig with values the engine cannot work with brought into range
// (segment.bytes <= 2 GiB - 1 because index positions are 32-bit, index size
// at least one entry).
LogConfig sanitize(LogConfig config);

}  // namespace conveyor::log
