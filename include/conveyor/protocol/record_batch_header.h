#pragma once
// The fixed header of a record batch, magic v2 — the unit the log stores and
// the wire carries. Layout (big-endian), 61 bytes, then the records:
//
//   offset  size  field
//   0       8     base_offset             set by the broker on append
//   8       4     batch_length            bytes after this field
//   12      4     partition_leader_epoch  set by the broker on append
//   16      1     magic                   2
//   17      4     crc                     CRC32C of bytes [21, end)
//   21      2     attributes              bits 0-2 compression, 3 timestamp type,
//                                         4 transactional, 5 control, 6 delete horizon
//   23      4     last_offset_delta
//   27      8     base_timestamp
//   35      8     max_timestamp
//   43      8     producer_id
//   51      2     producer_epoch
//   53      4     base_sequence
//   57      4     record_count
//   61      ...   records (possibly compressed)
//
// base_offset and partition_leader_epoch lie outside the CRC, so the broker
// assigns them in place without recomputing it.

#include <cstddef>
#include <cstdint>
#include <span>

#include "conveyor/base/result.h"

namespace conveyor::protocol {

inline constexpr std::size_t kRecordBatchHeaderSize = 61;
// base_offset + batch_length: the bytes not counted by batch_length.
inline constexpr std::size_t kLogOverhead = 12;
inline constexpr std::int8_t kMagicV2 = 2;

namespace batch_offsets {
inline constexpr std::size_t kBaseOffset = 0;
inline constexpr std::size_t kBatchLength = 8;
inline constexpr std::size_t kPartitionLeaderEpoch = 12;
inline constexpr std::size_t kMagic = 16;
inline constexpr std::size_t kCrc = 17;
inline constexpr std::size_t kAttributes = 21;
inline constexpr std::size_t kLastOffsetDelta = 23;
inline constexpr std::size_t kBaseTimestamp = 27;
inline constexpr std::size_t kMaxTimestamp = 35;
inline constexpr std::size_t kProducerId = 43;
inline constexpr std::size_t kProducerEpoch = 51;
inline constexpr std::size_t kBaseSequence = 53;
inline constexpr std::size_t kRecordCount = 57;
}  // namespace batch_offsets

enum class CompressionType : std::uint8_t { none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4 };
enum class TimestampType : std::uint8_t { create_time = 0, log_append_time = 1 };

namespace batch_attributes {
inline constexpr std::int16_t kCompressionMask = 0x07;
inline constexpr std::int16_t kTimestampType = 0x08;
inline constexpr std::int16_t kTransactional = 0x10;
inline constexpr std::int16_t kControl = 0x20;
inline constexpr std::int16_t kDeleteHorizon = 0x40;
}  // namespace batch_attributes

struct RecordBatchHeader {
  std::int64_t base_offset = 0;
  std::int32_t batch_length = 0;
  std::int32_t partition_leader_epoch = -1;
  std::int8_t magic = kMagicV2;
  std::uint32_t crc = 0;
  std::int16_t attributes = 0;
  std::int32_t last_offset_delta = 0;
  std::int64_t base_timestamp = -1;
  std::int64_t max_timestamp = -1;
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
  std::int32_t base_sequence = -1;
  std::int32_t record_count = 0;

  // Whole batch size in bytes, header included.
  std::size_t size_in_bytes() const { return kLogOverhead + static_cast<std::size_t>(batch_length); }
  // Wrapping arithmetic: before the broker assigns it, base_offset is
  // whatever the client wrote, and the sum must not be undefined behaviour
  // (found by fuzz_record_batch). Stored batches never come near the limit.
  std::int64_t last_offset() const {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(base_offset) +
                                     static_cast<std::uint64_t>(static_cast<std::int64_t>(last_offset_delta)));
  }
  std::int64_t next_offset() const {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(last_offset()) + 1u);
  }
  CompressionType compression() const {
    return static_cast<CompressionType>(attributes & batch_attributes::kCompressionMask);
  }
  TimestampType timestamp_type() const {
    return (attributes & batch_attributes::kTimestampType) ? TimestampType::log_append_time
                                                           : TimestampType::create_time;
  }
  bool is_transactional() const { return (attributes & batch_attributes::kTransactional) != 0; }
  bool is_control() const { return (attributes & batch_attributes::kControl) != 0; }
  bool has_producer_id() const { return producer_id >= 0; }
};

enum class BatchError : std::uint8_t {
  truncated,           // fewer bytes than the header or than batch_length says
  bad_length,          // batch_length too small for a v2 header, or negative, or
                       // bytes after the batch where exactly one was expected
  bad_magic,           // magic other than 2 where v2 is required
  bad_crc,             // CRC32C does not match
  bad_record_count,    // record_count negative, disagreeing with last_offset_delta,
                       // or with the number of records actually present
  bad_records,         // a record does not parse: a varint longer than 5/10
                       // bytes, a length negative or beyond the bytes left, a
                       // record whose fields disagree with its declared length
  bad_compression,     // unknown codec, or the payload fails to decompress
  bad_offset_delta,    // record offset deltas not 0..n-1 (or, for compacted
                       // batches, not increasing) or not ending at last_offset_delta
  too_large,           // the decompressed records exceed the caller's bound
  bad_control_record,  // a control batch whose records are not control records
};

const char* to_string(BatchError error);

// Reads the header at the start of `bytes` (which must hold at least
// kRecordBatchHeaderSize bytes). Checks only what the header alone can tell:
// lengths, magic, record count against last_offset_delta. Not the CRC.
Result<RecordBatchHeader, BatchError> read_batch_header(std::span<const std::uint8_t> bytes);

// True when the CRC stored in `batch` (a whole batch) matches its content.
bool batch_crc_matches(std::span<const std::uint8_t> batch);

// In-place edits the broker makes on append.
void set_base_offset(std::span<std::uint8_t> batch, std::int64_t base_offset);
void set_partition_leader_epoch(std::span<std::uint8_t> batch, std::int32_t epoch);
// For message.timestamp.type=LogAppendTime: sets the timestamp-type bit and
// max_timestamp, then recomputes the CRC (Kafka's setMaxTimestamp). Readers
// take every record's timestamp from max_timestamp for such batches.
void set_log_append_time(std::span<std::uint8_t> batch, std::int64_t timestamp_ms);
// Recomputes and stores the CRC after edits inside the CRC-covered range.
void update_crc(std::span<std::uint8_t> batch);

// Big-endian helpers for fixed header fields.
std::int64_t load_be64(const std::uint8_t* p);
std::int32_t load_be32(const std::uint8_t* p);
std::int16_t load_be16(const std::uint8_t* p);
void store_be64(std::uint8_t* p, std::int64_t v);
void store_be32(std::uint8_t* p, std::int32_t v);
void store_be16(std::uint8_t* p, std::int16_t v);

}  // namespace conveyor::protocol
