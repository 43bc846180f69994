#pragma once
// PartitionLog: one partition's append-only log — a sequence of segments
// (<dir>/<base offset, 20 digits>.log/.index/.timeindex) holding record
// batches (magic 2) exactly as clients sent them.
//
// Threading: a PartitionLog belongs to one shard and every method is called
// on that shard's thread; there is no lock on the append or read path.
// Appends write to the page cache (pwrite); durability comes from the
// FlushScheduler's group commit on its own thread (see flush_scheduler.h),
// which reports back through the callback given to request_flush.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "conveyor/base/result.h"
#include "conveyor/log/compaction_plan.h"
#include "conveyor/log/log_config.h"
#include "conveyor/log/log_error.h"
#include "conveyor/log/producer_state.h"
#include "conveyor/protocol/records.h"

namespace conveyor::log {

class FlushScheduler;

struct AppendResult {
  // A retry of a batch the log already holds (idempotent producer): nothing
  // was written and the offsets are the original batch's.
  bool duplicate = false;
  std::int64_t base_offset = -1;        // offset given to the first record
  std::int64_t last_offset = -1;        // offset of the last record appended
  std::int64_t log_append_time = -1;    // set when message.timestamp.type=LogAppendTime
  std::int64_t log_start_offset = 0;
  std::int32_t record_count = 0;
};

// The end of a transaction, written by the transaction coordinator to every
// partition the transaction wrote to: a control batch holding one COMMIT or
// ABORT record (protocol::build_end_txn_marker_batch).
struct TxnMarker {
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
  std::int32_t coordinator_epoch = 0;
  bool commit = true;
};

// An aborted transaction, as Fetch reports it to read_committed consumers
// (Kafka's AbortedTxn, one `.txnindex` entry): the producer's records from
// first_offset up to the ABORT marker at last_offset are to be skipped.
struct AbortedTxn {
  std::int64_t producer_id = -1;
  std::int64_t first_offset = -1;
  std::int64_t last_offset = -1;
  std::int64_t last_stable_offset = -1;  // the LSO when the marker was written
  bool operator==(const AbortedTxn&) const = default;
};

// Who is appending: clients' batches get every producer check; the
// coordinators' own transactional batches (TxnOffsetCommit records) carry
// the producer's id and epoch but no sequence, as in Kafka.
enum class AppendOrigin : std::uint8_t { client, coordinator };

struct ReadResult {
  // Whole batches starting at or before the requested offset (the client
  // skips records below it, as with Kafka), as a range of a segment file
  // for sendfile. Empty (size 0) when there is nothing at that offset yet.
  protocol::Records records;
  std::int64_t high_watermark = 0;
  std::int64_t log_start_offset = 0;
  std::int64_t last_stable_offset = 0;
};

struct OffsetAndTimestamp {
  std::int64_t offset = -1;
  std::int64_t timestamp = -1;
};

class PartitionLog {
 public:
  // Opens (creating if needed) the log in `dir`, recovering the segments
  // after the recovery point: batches are re-validated, a torn or corrupt
  // tail is truncated, indexes are rebuilt where missing or inconsistent.
  static Result<std::unique_ptr<PartitionLog>, LogError> open(std::filesystem::path dir,
                                                              LogConfig config,
                                                              FlushScheduler* flusher);
  virtual ~PartitionLog() = default;

  // Validates every batch in `batches` (one Produce partition's records:
  // CRC, magic, lengths, record count, max.message.bytes, timestamps) and
  // its producer's sequence (producer_state.h), then assigns offsets and
  // `leader_epoch` in place and appends them all — or nothing, with the
  // error. A retried batch of an idempotent producer is answered with its
  // original offsets (AppendResult::duplicate). `now_ms` is the broker's
  // clock, for LogAppendTime and time-based rolling.
  virtual Result<AppendResult, LogError> append(std::span<std::uint8_t> batches, std::int32_t leader_epoch,
                                                std::int64_t now_ms,
                                                AppendOrigin origin = AppendOrigin::client) = 0;

  // Appends a transaction marker for `marker.producer_id` (never refused for
  // its sequence; an epoch older than the producer's is INVALID_PRODUCER_EPOCH).
  // It ends the producer's open transaction here, which moves the last
  // stable offset; an ABORT is recorded for aborted_transactions(). A newer
  // epoch fences the producer's older one on this partition.
  virtual Result<AppendResult, LogError> append_marker(const TxnMarker& marker, std::int32_t leader_epoch,
                                                       std::int64_t now_ms) = 0;

  // The first offset of the oldest open transaction, else the high
  // watermark: read_committed consumers read up to it.
  virtual std::int64_t last_stable_offset() const = 0;
  // The aborted transactions a read_committed fetch of [from, upto) must be
  // told about: those whose ABORT marker is at or after `from` and whose
  // first offset is below `upto`, oldest first.
  virtual std::vector<AbortedTxn> aborted_transactions(std::int64_t from, std::int64_t upto) const = 0;

  // Batches from `offset`, at most `max_bytes` unless `min_one_batch` and
  // the first batch alone is larger (Kafka's KIP-74 rule). OFFSET_OUT_OF_RANGE
  // below log_start_offset() or above log_end_offset(). Reads stop at
  // `max_offset` (exclusive) when given — the high watermark for consumers.
  virtual Result<ReadResult, LogError> read(std::int64_t offset, std::uint32_t max_bytes,
                                            bool min_one_batch,
                                            std::optional<std::int64_t> max_offset = std::nullopt) = 0;

  // ListOffsets: the first offset whose record timestamp is >= `timestamp`,
  // with that record's timestamp (through the time index, then inside the
  // batch, decompressing it if need be; for LogAppendTime batches, whose
  // records share one timestamp, the batch's first offset), or nullopt.
  virtual std::optional<OffsetAndTimestamp> offset_for_timestamp(std::int64_t timestamp) = 0;
  // ListOffsets -3 (MAX_TIMESTAMP): the offset of the record with the largest timestamp.
  virtual std::optional<OffsetAndTimestamp> max_timestamp() = 0;

  // DeleteRecords: moves the log start offset to `offset` (<= high watermark),
  // deleting whole segments below it. Returns the new log start offset.
  virtual Result<std::int64_t, LogError> delete_records_before(std::int64_t offset) = 0;

  // Retention (time, size) and, for compacted topics, nothing here: runs one
  // pass and returns the number of segments deleted. Never deletes the active segment.
  virtual Result<std::size_t, LogError> enforce_retention(std::int64_t now_ms) = 0;

  // Compaction (cleanup.policy contains compact), Kafka's log cleaner: one
  // pass over the closed segments below the first uncleanable offset (the
  // active segment, or the first segment newer than min.compaction.lag.ms),
  // run only when their dirty ratio (bytes after the last cleaned offset /
  // all of them) is >= min.cleanable.dirty.ratio, or when tombstones kept by
  // an earlier pass are past delete.retention.ms. Keeps the latest record per
  // key with its offset; drops keyless records and, delete.retention.ms after
  // the pass that first kept them, tombstones. Cleaned segments replace the
  // old ones crash-safely (see docs/durability.md). `now_ms` is the broker's
  // clock. compact() runs the whole pass on the calling thread (tests,
  // tools); the broker splits it so that the shard never reads or rewrites
  // segments: plan_compaction() on the shard, cleaner::run(plan) on the
  // cleaner thread, finish_compaction() back on the shard.
  virtual Result<CompactionStats, LogError> compact(std::int64_t now_ms) = 0;
  // nullopt when nothing is due (or a pass is already under way); else a
  // plan the log holds as in flight until finish_compaction.
  virtual std::optional<CompactionPlan> plan_compaction(std::int64_t now_ms) = 0;
  // Swaps in what `work` cleaned — each group whose segments are still
  // those of the plan (retention or DeleteRecords may have deleted some
  // meanwhile; those groups' files are discarded) — or discards it all on
  // error or when the log was closed.
  virtual Result<CompactionStats, LogError> finish_compaction(const CompactionPlan& plan,
                                                              Result<CompactionWork, LogError> work,
                                                              std::int64_t now_ms) = 0;

  // Group commit: asks the flusher to make everything appended so far durable.
  // `done(durable_offset)` runs on the flusher thread once data up to at least
  // that offset (exclusive) is fsync'd; the caller posts back to its shard.
  // A negative value means an fdatasync failed: nothing new is known durable
  // and the log is offline (KAFKA_STORAGE_ERROR). Without a FlushScheduler
  // (tests, tools) the flush runs inline and `done` is called before return.
  // `done` may be empty.
  virtual void request_flush(std::function<void(std::int64_t durable_end_offset)> done) = 0;

  // Offsets below this are known durable (fsync'd). Updated by the flusher;
  // may be read from the owning shard at any time.
  virtual std::int64_t recovery_point() const = 0;
  // Writes the checkpoint (recovery point, log start offset) atomically. The
  // broker calls it periodically (Kafka's log.flush.offset.checkpoint.interval.ms);
  // close, DeleteRecords and retention call it too. A stale recovery point
  // only makes the next recovery scan more.
  virtual Result<void, LogError> checkpoint() = 0;

  // Closes the active segment cleanly (trims indexes, writes checkpoints).
  virtual void close() = 0;
  // Removes every file of the log (DeleteTopics); the log is unusable after.
  virtual void remove() = 0;

  virtual void update_config(const LogConfig& config) = 0;

  // The idempotent/transactional producers this partition knows.
  virtual const ProducerStateTable& producers() const = 0;
  // Forgets producers idle for producer.id.expiration.ms; returns how many.
  virtual std::size_t expire_producers(std::int64_t now_ms, std::int64_t expiration_ms) = 0;

  virtual std::int64_t log_start_offset() const = 0;
  virtual std::int64_t log_end_offset() const = 0;   // next offset to assign
  // Single-replica: equal to log_end_offset. Replication (issue 5) moves it.
  virtual std::int64_t high_watermark() const = 0;
  virtual std::int64_t size_in_bytes() const = 0;
  virtual std::size_t segment_count() const = 0;
  virtual const std::filesystem::path& dir() const = 0;
};

}  // namespace conveyor::log
