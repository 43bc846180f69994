#pragma once
// Segment: one `<base>.log` file of record batches plus its OffsetIndex and
// TimeIndex. The base offset (the file name) is at or below the first batch's
// base offset; batches are stored back to back, exactly as validated by the
// PartitionLog, so the file is Kafka's own segment format:
//
//   .log        [batch][batch][batch]...      (magic 2, see record_batch_header.h)
//   .index      [(last offset - base) u32 | position u32] every index.interval.bytes
//   .timeindex  [max timestamp so far i64 | (its offset - base) u32], increasing
//
// Lifecycle: create() for a new active segment; open() then load() (trust the
// files, check indexes cheaply, scan only the tail after the last index entry)
// or recover() (scan and CRC-check every batch, rebuild both indexes,
// truncate a torn or corrupt tail). The active segment's indexes are writable;
// seal() (on roll and close) adds the final time index entry and trims the
// preallocated index files. remove() deletes the files; a FileSlice handed
// out earlier keeps the log file's descriptor open until it is sent.
//
// Descriptors: a sealed segment may close its three files (release_files) so
// that a partition with many segments keeps only a few open (DiskLog bounds
// them with log.segments.open.max); every method below that reads the files
// reopens them first (read-only indexes), so a released segment behaves as
// before, one open() later. Handles given out earlier stay valid.
//
// Preallocation (log.preallocate): the active segment may write zeros ahead
// of its data (preallocate()), so that appends overwrite blocks already on
// disk and a group commit needs no journal commit (preallocation.h). The file
// is then longer than size(); seal() and recover() cut it back to the data,
// and readers never look past size().
//
// Not thread-safe: owned by a PartitionLog on one shard. Only file(), the
// index FileHandles and the Preallocation are shared (with fetch responses and
// the FlushScheduler).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "conveyor/base/file_handle.h"
#include "conveyor/base/result.h"
#include "conveyor/log/log_error.h"
#include "conveyor/log/offset_index.h"
#include "conveyor/log/preallocation.h"
#include "conveyor/log/time_index.h"
#include "conveyor/protocol/record_batch_header.h"
#include "conveyor/protocol/records.h"

namespace conveyor::log {

class Segment {
 public:
  // What the segment needs to know about each appended batch.
  struct BatchMeta {
    std::int64_t last_offset = 0;
    std::int64_t max_timestamp = -1;
    std::uint32_t size = 0;
  };
  // A batch found by a scan.
  struct Located {
    std::uint64_t position = 0;
    protocol::RecordBatchHeader header;
  };
  struct RecoveryResult {
    std::uint64_t valid_bytes = 0;
    std::uint64_t truncated_bytes = 0;
    bool zero_tail =
        false;  // what was truncated starts with zeros (written ahead, or never written)
    std::size_t batches = 0;
  };

  static Result<std::unique_ptr<Segment>, LogError> create(const std::filesystem::path& dir,
                                                           std::int64_t base_offset,
                                                           std::size_t index_max_bytes,
                                                           std::int32_t index_interval_bytes,
                                                           std::int64_t now_ms);
  static Result<std::unique_ptr<Segment>, LogError> open(const std::filesystem::path& dir,
                                                         std::int64_t base_offset,
                                                         std::size_t index_max_bytes,
                                                         std::int32_t index_interval_bytes,
                                                         bool writable, std::int64_t now_ms);
  ~Segment() = default;
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  // Trusts the log file; returns false when the indexes or the tail do not
  // add up (then the caller runs recover()).
  Result<bool, LogError> load();
  // Rebuilds the indexes from a full scan and truncates at the first batch
  // that is torn, corrupt or out of order. Indexes are writable during it.
  Result<RecoveryResult, LogError> recover();

  // Appends validated batches (`bytes` is their concatenation) with one write.
  // On failure the file is cut back to where it was.
  Result<void, LogError> append(std::span<const std::uint8_t> bytes,
                                std::span<const BatchMeta> batches);

  // The first batch with last offset >= `offset`, scanning forward from the
  // index; nullopt when the segment has none.
  Result<std::optional<Located>, LogError> locate(std::int64_t offset) const;
  // Whole batches from the one holding `offset`: at most `max_bytes` (unless
  // `min_one_batch` and the first is larger), none at or above `max_offset`.
  // nullopt when this segment holds nothing at or after `offset`.
  Result<std::optional<protocol::FileSlice>, LogError> read(std::int64_t offset,
                                                            std::uint32_t max_bytes,
                                                            bool min_one_batch,
                                                            std::int64_t max_offset) const;
  // The first batch whose max timestamp is >= `timestamp` and whose last
  // offset is >= `min_offset`.
  Result<std::optional<Located>, LogError> find_timestamp(std::int64_t timestamp,
                                                          std::int64_t min_offset) const;
  // Inside the batch `found`: the offset and timestamp of the first record
  // with timestamp >= `timestamp` and offset >= `min_offset`. Exact for
  // uncompressed CreateTime batches; otherwise (or if the records do not
  // parse) the batch's first eligible offset and its max timestamp.
  std::pair<std::int64_t, std::int64_t> first_record_at_or_after(const Located& found,
                                                                 std::int64_t timestamp,
                                                                 std::int64_t min_offset) const;
  // The batch header at `position`, if a valid one lies wholly inside the segment.
  std::optional<protocol::RecordBatchHeader> header_at(std::uint64_t position) const;

  // Final time index entry, trims the index files; the segment is read-only after.
  Result<void, LogError> seal();
  // Makes sealed indexes writable again (a recovered segment that became the active one).
  Result<void, LogError> make_writable();
  // fdatasync of the log and both indexes.
  Result<void, LogError> sync() const;
  // Asks for zeros so that at least `lead` bytes past the data are
  // preallocated (`lead` more at a time, never past `limit`); true when it
  // asked for more. The caller then hands preallocation() to
  // FlushScheduler::instantiate, whose thread writes them and makes them
  // durable. An error when writing zeros failed before.
  Result<bool, LogError> preallocate(std::uint64_t lead, std::uint64_t limit);
  // Shared with flush requests; null until preallocate() first asked for zeros.
  const std::shared_ptr<Preallocation>& preallocation() const { return preallocation_; }
  void remove();

  bool files_open() const { return log_file_ != nullptr; }
  // Reopens the files of a released segment.
  Result<void, LogError> ensure_open() const;
  // Closes the files of a sealed segment (no-op for the active one).
  void release_files();
  // When the owning log last used the segment (its own clock), for choosing what to release.
  std::uint64_t last_used() const { return last_used_; }
  void mark_used(std::uint64_t tick) const { last_used_ = tick; }

  // Unique per Segment object in the process: tells a segment from a later one
  // with the same base offset (compaction checks its plan against it).
  std::uint64_t id() const { return id_; }
  std::int64_t base_offset() const { return base_offset_; }
  std::int64_t next_offset() const { return next_offset_; }  // after the last batch
  std::uint64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::int64_t max_timestamp() const { return max_timestamp_; }
  std::int64_t offset_of_max_timestamp() const { return offset_of_max_timestamp_; }
  // How long the segment has been collecting, for segment.ms (Kafka's rule):
  // the incoming batches' max timestamp minus the first batch's, when the
  // first batch has a timestamp; else broker time since the segment was
  // created or opened.
  std::int64_t time_waited_for_roll(std::int64_t now_ms,
                                    std::int64_t incoming_max_timestamp) const {
    return first_batch_timestamp_ >= 0 ? difference(incoming_max_timestamp, first_batch_timestamp_)
                                       : difference(now_ms, created_ms_);
  }
  // True when `batches` more entries might not fit in an index.
  bool index_full(std::size_t batches) const;
  void set_index_interval_bytes(std::int32_t bytes) { index_interval_bytes_ = bytes; }

  // These reopen a released segment; null handles (empty indexes) if that fails.
  const std::shared_ptr<const FileHandle>& file() const {
    (void)ensure_open();
    return log_file_;
  }
  const OffsetIndex& offset_index() const {
    (void)ensure_open();
    return offset_index_;
  }
  const TimeIndex& time_index() const {
    (void)ensure_open();
    return time_index_;
  }
  const std::shared_ptr<const FileHandle>& offset_index_file() const {
    return offset_index().file().file();
  }
  const std::shared_ptr<const FileHandle>& time_index_file() const {
    return time_index().file().file();
  }

 private:
  Segment(std::filesystem::path dir, std::int64_t base_offset, std::size_t index_max_bytes,
          std::int32_t index_interval_bytes, std::int64_t now_ms);
  Result<void, LogError> open_files(bool create, bool writable);
  // Cuts the log file back to the data (preallocated zeros dropped).
  Result<void, LogError> trim_to_data();
  void index_batch(std::uint64_t position, const BatchMeta& batch);
  void reset_state();
  // a - b, saturated (client timestamps can be anything).
  static std::int64_t difference(std::int64_t a, std::int64_t b) {
    std::int64_t d = 0;
    if (__builtin_sub_overflow(a, b, &d)) return a > b ? INT64_MAX : INT64_MIN;
    return d;
  }

  std::uint64_t id_;
  std::filesystem::path dir_;
  std::int64_t base_offset_;
  std::size_t index_max_bytes_;
  std::int32_t index_interval_bytes_;
  std::int64_t created_ms_;
  // Mutable: a const read may reopen a released segment's files.
  mutable std::shared_ptr<const FileHandle> log_file_;
  mutable OffsetIndex offset_index_;
  mutable TimeIndex time_index_;
  mutable std::uint64_t last_used_ = 0;

  std::uint64_t size_ = 0;
  std::uint64_t file_end_ = 0;  // at least size_: past it, bytes of a failed append
  std::shared_ptr<Preallocation> preallocation_;
  std::int64_t next_offset_;
  std::int64_t max_timestamp_ = -1;
  std::int64_t offset_of_max_timestamp_ = -1;
  std::int64_t first_batch_timestamp_ = -1;
  std::uint64_t bytes_since_index_entry_ = 0;
};

}  // namespace conveyor::log
