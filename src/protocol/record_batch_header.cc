#include "conveyor/protocol/record_batch_header.h"

#include <cstring>

#include "conveyor/protocol/crc32c.h"

namespace conveyor::protocol {

namespace off = batch_offsets;

std::int64_t load_be64(const std::uint8_t* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return static_cast<std::int64_t>(__builtin_bswap64(v));
}
std::int32_t load_be32(const std::uint8_t* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return static_cast<std::int32_t>(__builtin_bswap32(v));
}
std::int16_t load_be16(const std::uint8_t* p) {
  std::uint16_t v;
  std::memcpy(&v, p, 2);
  return static_cast<std::int16_t>(__builtin_bswap16(v));
}
void store_be64(std::uint8_t* p, std::int64_t v) {
  const std::uint64_t be = __builtin_bswap64(static_cast<std::uint64_t>(v));
  std::memcpy(p, &be, 8);
}
void store_be32(std::uint8_t* p, std::int32_t v) {
  const std::uint32_t be = __builtin_bswap32(static_cast<std::uint32_t>(v));
  std::memcpy(p, &be, 4);
}
void store_be16(std::uint8_t* p, std::int16_t v) {
  const std::uint16_t be = __builtin_bswap16(static_cast<std::uint16_t>(v));
  std::memcpy(p, &be, 2);
}

const char* to_string(BatchError error) {
  switch (error) {
    case BatchError::truncated: return "truncated batch";
    case BatchError::bad_length: return "invalid batch length";
    case BatchError::bad_magic: return "unsupported magic";
    case BatchError::bad_crc: return "CRC mismatch";
    case BatchError::bad_record_count: return "record count disagrees with the batch";
    case BatchError::bad_records: return "records do not parse";
    case BatchError::bad_compression: return "bad compression";
    case BatchError::bad_offset_delta: return "record offset deltas disagree with the batch";
    case BatchError::too_large: return "decompressed records exceed the limit";
    case BatchError::bad_control_record: return "invalid control record";
  }
  return "unknown";
}

Result<RecordBatchHeader, BatchError> read_batch_header(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kRecordBatchHeaderSize) return Unexpected{BatchError::truncated};
  const std::uint8_t* p = bytes.data();
  RecordBatchHeader h;
  h.base_offset = load_be64(p + off::kBaseOffset);
  h.batch_length = load_be32(p + off::kBatchLength);
  h.partition_leader_epoch = load_be32(p + off::kPartitionLeaderEpoch);
  h.magic = static_cast<std::int8_t>(p[off::kMagic]);
  h.crc = static_cast<std::uint32_t>(load_be32(p + off::kCrc));
  h.attributes = load_be16(p + off::kAttributes);
  h.last_offset_delta = load_be32(p + off::kLastOffsetDelta);
  h.base_timestamp = load_be64(p + off::kBaseTimestamp);
  h.max_timestamp = load_be64(p + off::kMaxTimestamp);
  h.producer_id = load_be64(p + off::kProducerId);
  h.producer_epoch = load_be16(p + off::kProducerEpoch);
  h.base_sequence = load_be32(p + off::kBaseSequence);
  h.record_count = load_be32(p + off::kRecordCount);

  if (h.magic != kMagicV2) return Unexpected{BatchError::bad_magic};
  if (h.batch_length < static_cast<std::int32_t>(kRecordBatchHeaderSize - kLogOverhead)) {
    return Unexpected{BatchError::bad_length};
  }
  if (h.record_count < 0 || h.last_offset_delta < 0) return Unexpected{BatchError::bad_record_count};
  // Every record takes an offset; a batch may have fewer records than its
  // offset span only after compaction, never more.
  if (static_cast<std::int64_t>(h.record_count) > static_cast<std::int64_t>(h.last_offset_delta) + 1) {
    return Unexpected{BatchError::bad_record_count};
  }
  return h;
}

bool batch_crc_matches(std::span<const std::uint8_t> batch) {
  if (batch.size() < kRecordBatchHeaderSize) return false;
  const auto stored = static_cast<std::uint32_t>(load_be32(batch.data() + off::kCrc));
  return crc32c::compute(batch.subspan(off::kAttributes)) == stored;
}

void set_base_offset(std::span<std::uint8_t> batch, std::int64_t base_offset) {
  store_be64(batch.data() + off::kBaseOffset, base_offset);
}

void set_partition_leader_epoch(std::span<std::uint8_t> batch, std::int32_t epoch) {
  store_be32(batch.data() + off::kPartitionLeaderEpoch, epoch);
}

void update_crc(std::span<std::uint8_t> batch) {
  const std::uint32_t crc = crc32c::compute(batch.subspan(off::kAttributes));
  store_be32(batch.data() + off::kCrc, static_cast<std::int32_t>(crc));
}

void set_log_append_time(std::span<std::uint8_t> batch, std::int64_t timestamp_ms) {
  const std::int16_t attributes = load_be16(batch.data() + off::kAttributes);
  store_be16(batch.data() + off::kAttributes,
             static_cast<std::int16_t>(attributes | batch_attributes::kTimestampType));
  store_be64(batch.data() + off::kMaxTimestamp, timestamp_ms);
  update_crc(batch);
}

}  // namespace conveyor::protocol
