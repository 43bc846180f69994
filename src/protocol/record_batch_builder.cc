// RecordBatchBuilder: encodes records as they are added; build() writes the
// header, compresses the section and computes the CRC.

#include <algorithm>
#include <cstring>

#include "conveyor/protocol/crc32c.h"
#include "conveyor/protocol/record_batch.h"
#include "conveyor/protocol/varint.h"

namespace conveyor::protocol {
namespace {

namespace off = batch_offsets;

std::size_t sized_size(const NullableBytes& bytes) {
  if (!bytes) return varint::size_varint(-1);
  return varint::size_varint(static_cast<std::int32_t>(bytes->size())) + bytes->size();
}

std::uint8_t* put_varint(std::uint8_t* p, std::int32_t v) { return varint::write_unsigned(p, varint::zigzag_encode(v)); }
std::uint8_t* put_varlong(std::uint8_t* p, std::int64_t v) {
  return varint::write_unsigned(p, varint::zigzag_encode(v));
}
std::uint8_t* put_sized(std::uint8_t* p, const NullableBytes& bytes) {
  if (!bytes) return put_varint(p, -1);
  p = put_varint(p, static_cast<std::int32_t>(bytes->size()));
  if (!bytes->empty()) std::memcpy(p, bytes->data(), bytes->size());
  return p + bytes->size();
}

BytesView as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace

RecordBatchBuilder& RecordBatchBuilder::set_base_offset(std::int64_t base_offset) {
  header_.base_offset = base_offset;
  return *this;
}

RecordBatchBuilder& RecordBatchBuilder::set_partition_leader_epoch(std::int32_t epoch) {
  header_.partition_leader_epoch = epoch;
  return *this;
}

RecordBatchBuilder& RecordBatchBuilder::set_compression(CompressionType codec, CompressionLevel level) {
  codec_ = codec;
  level_ = level;
  return *this;
}

RecordBatchBuilder& RecordBatchBuilder::set_producer(std::int64_t producer_id, std::int16_t producer_epoch,
                                                     std::int32_t base_sequence) {
  header_.producer_id = producer_id;
  header_.producer_epoch = producer_epoch;
  header_.base_sequence = base_sequence;
  return *this;
}

RecordBatchBuilder& RecordBatchBuilder::set_transactional(bool transactional) {
  header_.attributes = static_cast<std::int16_t>(transactional ? header_.attributes | batch_attributes::kTransactional
                                                               : header_.attributes & ~batch_attributes::kTransactional);
  return *this;
}

RecordBatchBuilder& RecordBatchBuilder::set_control(bool control) {
  header_.attributes = static_cast<std::int16_t>(control ? header_.attributes | batch_attributes::kControl
                                                         : header_.attributes & ~batch_attributes::kControl);
  return *this;
}

RecordBatchBuilder& RecordBatchBuilder::set_log_append_time(std::int64_t timestamp) {
  log_append_time_ = timestamp;
  return *this;
}

RecordBatchBuilder& RecordBatchBuilder::set_last_offset_delta(std::int32_t last_offset_delta) {
  last_offset_delta_ = last_offset_delta;
  return *this;
}

RecordBatchBuilder& RecordBatchBuilder::add(std::int64_t timestamp, NullableBytes key, NullableBytes value,
                                            std::span<const RecordHeader> headers) {
  RecordInput record;
  record.timestamp = timestamp;
  record.key = key;
  record.value = value;
  record.headers = headers;
  return add(record);
}

RecordBatchBuilder& RecordBatchBuilder::add(const RecordInput& record) {
  if (record_count_ == 0) {
    header_.base_timestamp = record.timestamp;
    header_.max_timestamp = record.timestamp;
  }
  header_.max_timestamp = std::max(header_.max_timestamp, record.timestamp);
  const std::int32_t offset_delta = record.offset_delta.value_or(next_offset_delta_);
  if (offset_delta < next_offset_delta_) offsets_in_order_ = false;
  next_offset_delta_ = offset_delta + 1;
  const std::int64_t timestamp_delta = static_cast<std::int64_t>(static_cast<std::uint64_t>(record.timestamp) -
                                                                 static_cast<std::uint64_t>(header_.base_timestamp));

  std::size_t body = 1 + varint::size_varlong(timestamp_delta) + varint::size_varint(offset_delta) +
                     sized_size(record.key) + sized_size(record.value) +
                     varint::size_varint(static_cast<std::int32_t>(record.headers.size()));
  for (const RecordHeader& h : record.headers) body += sized_size(as_bytes(h.key)) + sized_size(h.value);

  const std::size_t at = records_.size();
  records_.resize(at + varint::size_varint(static_cast<std::int32_t>(body)) + body);
  std::uint8_t* p = records_.data() + at;
  p = put_varint(p, static_cast<std::int32_t>(body));
  *p++ = 0;  // attributes
  p = put_varlong(p, timestamp_delta);
  p = put_varint(p, offset_delta);
  p = put_sized(p, record.key);
  p = put_sized(p, record.value);
  p = put_varint(p, static_cast<std::int32_t>(record.headers.size()));
  for (const RecordHeader& h : record.headers) {
    p = put_sized(p, as_bytes(h.key));
    p = put_sized(p, h.value);
  }
  ++record_count_;
  return *this;
}

Result<std::vector<std::uint8_t>, BatchError> RecordBatchBuilder::build() const {
  const std::int32_t last_added = record_count_ == 0 ? 0 : next_offset_delta_ - 1;
  const std::int32_t last_offset_delta = last_offset_delta_.value_or(last_added);
  if (!offsets_in_order_ || last_offset_delta < last_added) return Unexpected{BatchError::bad_offset_delta};

  std::vector<std::uint8_t> batch(kRecordBatchHeaderSize);
  batch.reserve(kRecordBatchHeaderSize + records_.size());
  auto compressed = compress_append(codec_, records_, batch, level_);
  if (!compressed) return Unexpected{BatchError::bad_compression};

  RecordBatchHeader h = header_;
  h.attributes = static_cast<std::int16_t>((h.attributes & ~batch_attributes::kCompressionMask) |
                                           static_cast<std::int16_t>(codec_));
  if (log_append_time_) {
    h.attributes = static_cast<std::int16_t>(h.attributes | batch_attributes::kTimestampType);
    h.max_timestamp = *log_append_time_;
  }
  std::uint8_t* p = batch.data();
  store_be64(p + off::kBaseOffset, h.base_offset);
  store_be32(p + off::kBatchLength, static_cast<std::int32_t>(batch.size() - kLogOverhead));
  store_be32(p + off::kPartitionLeaderEpoch, h.partition_leader_epoch);
  p[off::kMagic] = static_cast<std::uint8_t>(kMagicV2);
  store_be16(p + off::kAttributes, h.attributes);
  store_be32(p + off::kLastOffsetDelta, last_offset_delta);
  store_be64(p + off::kBaseTimestamp, h.base_timestamp);
  store_be64(p + off::kMaxTimestamp, h.max_timestamp);
  store_be64(p + off::kProducerId, h.producer_id);
  store_be16(p + off::kProducerEpoch, h.producer_epoch);
  store_be32(p + off::kBaseSequence, h.base_sequence);
  store_be32(p + off::kRecordCount, record_count_);
  update_crc(batch);
  return batch;
}

}  // namespace conveyor::protocol
