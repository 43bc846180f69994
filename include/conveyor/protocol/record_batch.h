#pragma once
// Records inside a record batch v2 (the header is in record_batch_header.h):
// reading them, validating a produced batch, building batches, and the
// control records that mark transaction ends.
//
// The records section follows the 61-byte header, compressed as a whole when
// the batch's codec is not `none`. Each record (varint = zigzag, 5 bytes at
// most; varlong = zigzag, 10 bytes at most):
//
//   length          varint   bytes after this field
//   attributes      int8     unused, 0
//   timestamp_delta varlong  from the batch's base_timestamp
//   offset_delta    varint   from the batch's base_offset
//   key_length      varint   -1 for a null key
//   key             bytes
//   value_length    varint   -1 for a null value
//   value           bytes
//   header_count    varint
//   headers         header_count x { key_length varint (>= 0), key (UTF-8),
//                                    value_length varint (-1 null), value }
//
// Every length is checked against the bytes that remain before it is used,
// and nothing is allocated from a wire number before that check. Errors are
// BatchError values. Views (Record, RecordHeader) point into the caller's
// batch bytes, or into the RecordBatch's own decompressed buffer: they live
// as long as both of those.

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "conveyor/base/result.h"
#include "conveyor/protocol/compression.h"
#include "conveyor/protocol/record_batch_header.h"

namespace conveyor::protocol {

using BytesView = std::span<const std::uint8_t>;
// Null (nullopt) differs from empty on the wire: length -1 versus 0.
using NullableBytes = std::optional<BytesView>;

struct RecordHeader {
  std::string_view key;
  NullableBytes value;
};

// The headers of one record, checked when the record was read, so walking
// them cannot fail.
class RecordHeaders {
 public:
  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = RecordHeader;
    using difference_type = std::ptrdiff_t;
    using reference = RecordHeader;  // decoded on access
    using pointer = void;
    iterator() = default;
    RecordHeader operator*() const;
    iterator& operator++();
    iterator operator++(int) {
      iterator old = *this;
      ++*this;
      return old;
    }
    bool operator==(const iterator& other) const { return left_ == other.left_; }

   private:
    friend class RecordHeaders;
    iterator(const std::uint8_t* pos, const std::uint8_t* end, std::int32_t left)
        : pos_(pos), end_(end), left_(left) {}
    const std::uint8_t* pos_ = nullptr;
    const std::uint8_t* end_ = nullptr;
    std::int32_t left_ = 0;
  };

  RecordHeaders() = default;
  std::int32_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  iterator begin() const { return {bytes_.data(), bytes_.data() + bytes_.size(), count_}; }
  iterator end() const { return {}; }
  // The encoded headers (after header_count).
  BytesView bytes() const { return bytes_; }

 private:
  friend class RecordReader;
  RecordHeaders(BytesView bytes, std::int32_t count) : bytes_(bytes), count_(count) {}
  BytesView bytes_;
  std::int32_t count_ = 0;
};

struct Record {
  std::int8_t attributes = 0;
  std::int64_t timestamp_delta = 0;
  std::int32_t offset_delta = 0;
  NullableBytes key;
  NullableBytes value;
  RecordHeaders headers;
  // The whole encoded record, its length prefix included.
  BytesView encoded;
};

// Reads records one by one from a records section (already decompressed).
// Checks each record's structure, and that the section holds exactly
// `record_count` records; not offset deltas (RecordBatch does that).
class RecordReader {
 public:
  RecordReader(BytesView records, std::int32_t record_count)
      : pos_(records.data()), end_(records.data() + records.size()), left_(record_count) {}
  // Reads the next record into `record`: true, or false after the last one
  // (with no bytes left over).
  [[nodiscard]] Result<bool, BatchError> next(Record& record);

 private:
  const std::uint8_t* pos_;
  const std::uint8_t* end_;
  std::int32_t left_;
};

// Smallest possible encoded record: length + 6 one-byte fields.
inline constexpr std::size_t kMinRecordSize = 7;

struct ReadOptions {
  // Bound for the decompressed records section of a compressed batch
  // (derived from max.message.bytes by the caller); 0 rejects compressed
  // batches with records.
  std::size_t max_decompressed = 0;
  bool verify_crc = true;
  // Compacted batches keep their offset span with records removed: offset
  // deltas need only increase and stay within last_offset_delta. Off, they
  // must be exactly 0..n-1 as a producer writes them.
  bool allow_offset_gaps = false;
};

// One batch, read whole: header checked, CRC verified, records decompressed
// (into a buffer this object owns) and parsed. Movable, not copyable (the
// records point into the owned buffer).
class RecordBatch {
 public:
  // `batch` must hold exactly one batch.
  [[nodiscard]] static Result<RecordBatch, BatchError> read(BytesView batch, const ReadOptions& options);

  RecordBatch(RecordBatch&&) = default;
  RecordBatch& operator=(RecordBatch&&) = default;
  RecordBatch(const RecordBatch&) = delete;
  RecordBatch& operator=(const RecordBatch&) = delete;

  const RecordBatchHeader& header() const { return header_; }
  std::span<const Record> records() const { return records_; }
  // The records section, decompressed.
  BytesView records_section() const { return section_; }

  std::int64_t offset_of(const Record& record) const;
  // The record's timestamp: base_timestamp + delta, or max_timestamp for
  // LogAppendTime batches.
  std::int64_t timestamp_of(const Record& record) const;

 private:
  RecordBatch() = default;
  RecordBatchHeader header_;
  std::vector<std::uint8_t> decompressed_;
  BytesView section_;
  std::vector<Record> records_;
};

// The records section of `batch` (one whole batch whose header is `header`),
// decompressed into `owned` when compressed. Bounded by max_decompressed.
[[nodiscard]] Result<BytesView, BatchError> read_records_section(BytesView batch,
                                                                 const RecordBatchHeader& header,
                                                                 std::size_t max_decompressed,
                                                                 std::vector<std::uint8_t>& owned);

// One batch inside a records buffer.
struct BatchSlice {
  RecordBatchHeader header;
  BytesView bytes;  // the whole batch
};

// Walks the batches of a records buffer (a Produce partition's records, a
// segment's bytes). Reads and checks each header and its length, not CRCs
// or records.
class BatchSequence {
 public:
  explicit BatchSequence(BytesView records) : rest_(records) {}
  // The next batch; nullopt at the end; an error for a malformed header or a
  // batch cut short (a Fetch response may legally end in a partial batch:
  // truncated then, and position() is where it starts).
  [[nodiscard]] Result<std::optional<BatchSlice>, BatchError> next();
  std::size_t position() const { return position_; }

 private:
  BytesView rest_;
  std::size_t position_ = 0;
};

// What the append path needs to know about a batch it accepted.
struct BatchSummary {
  RecordBatchHeader header;
  std::int64_t max_timestamp = -1;           // max over the records' timestamps
  std::int32_t offset_delta_of_max_timestamp = 0;  // first record with that timestamp
  bool has_null_key = false;                 // compacted topics refuse these
};

// Full validation of one produced batch, as the log's append path needs it
// to answer CORRUPT_MESSAGE / INVALID_RECORD: exactly one batch, header
// rules, CRC, codec, every record parsed, record_count == records present,
// offset deltas exactly 0..n-1 with n-1 == last_offset_delta, control
// batches holding only control records.
[[nodiscard]] Result<BatchSummary, BatchError> validate_batch(BytesView batch, std::size_t max_decompressed);

// --- Building -------------------------------------------------------------

struct RecordInput {
  std::int64_t timestamp = -1;
  NullableBytes key;
  NullableBytes value;
  std::span<const RecordHeader> headers;
  // Default: one after the previous record (0 for the first).
  std::optional<std::int32_t> offset_delta;
};

// Builds one batch. Records are encoded as they are added (the bytes of
// keys, values and headers are copied then), the section compressed and the
// CRC computed by build(). Not thread-safe; build() may be called repeatedly.
class RecordBatchBuilder {
 public:
  RecordBatchBuilder& set_base_offset(std::int64_t base_offset);
  RecordBatchBuilder& set_partition_leader_epoch(std::int32_t epoch);
  RecordBatchBuilder& set_compression(CompressionType codec, CompressionLevel level = std::nullopt);
  // Idempotent/transactional producer fields; sequence is the first record's.
  RecordBatchBuilder& set_producer(std::int64_t producer_id, std::int16_t producer_epoch,
                                   std::int32_t base_sequence);
  RecordBatchBuilder& set_transactional(bool transactional);
  RecordBatchBuilder& set_control(bool control);
  // LogAppendTime batch: max_timestamp is `timestamp`, record deltas kept.
  RecordBatchBuilder& set_log_append_time(std::int64_t timestamp);
  // For compacted batches whose last records were removed; at least the
  // last record's delta.
  RecordBatchBuilder& set_last_offset_delta(std::int32_t last_offset_delta);

  RecordBatchBuilder& add(const RecordInput& record);
  RecordBatchBuilder& add(std::int64_t timestamp, NullableBytes key, NullableBytes value,
                          std::span<const RecordHeader> headers = {});

  std::int32_t record_count() const { return record_count_; }
  // Uncompressed size of the batch so far.
  std::size_t uncompressed_size() const { return kRecordBatchHeaderSize + records_.size(); }

  // bad_compression if the codec fails; bad_offset_delta if offset deltas
  // were given out of order.
  [[nodiscard]] Result<std::vector<std::uint8_t>, BatchError> build() const;

 private:
  RecordBatchHeader header_;
  CompressionType codec_ = CompressionType::none;
  CompressionLevel level_;
  std::vector<std::uint8_t> records_;
  std::int32_t record_count_ = 0;
  std::int32_t next_offset_delta_ = 0;
  std::optional<std::int32_t> last_offset_delta_;
  std::optional<std::int64_t> log_append_time_;
  bool offsets_in_order_ = true;
};

// --- Control records (transaction markers) -----------------------------------
//
// key:   version int16 (0), type int16 (0 abort, 1 commit; other types exist
//        for KRaft, e.g. 2 leader change)
// value: for abort/commit, version int16 (0), coordinator_epoch int32
// Both big-endian. Newer versions may append fields, which readers skip.

enum class ControlRecordType : std::int16_t { abort = 0, commit = 1 };

struct ControlRecordKey {
  std::int16_t version = 0;
  std::int16_t type = 0;  // raw: ControlRecordType for transaction markers
};

struct EndTxnMarker {
  std::int16_t version = 0;
  std::int32_t coordinator_epoch = 0;
};

[[nodiscard]] Result<ControlRecordKey, BatchError> parse_control_record_key(NullableBytes key);
[[nodiscard]] Result<EndTxnMarker, BatchError> parse_end_txn_marker(NullableBytes value);

struct EndTxnMarkerBatch {
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
  ControlRecordType type = ControlRecordType::commit;
  std::int32_t coordinator_epoch = 0;
  std::int64_t timestamp = -1;
  std::int64_t base_offset = 0;
  std::int32_t partition_leader_epoch = -1;
};

// A transactional control batch holding one COMMIT or ABORT marker, as the
// transaction coordinator writes it (base_sequence -1, uncompressed).
[[nodiscard]] std::vector<std::uint8_t> build_end_txn_marker_batch(const EndTxnMarkerBatch& marker);

}  // namespace conveyor::protocol
