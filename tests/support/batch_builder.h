#pragma once
// BatchBuilder: valid, uncompressed record batches (magic 2) for tests, as a
// producer would send them (base offset 0, leader epoch -1, no producer id
// unless producer() names one),
// with correct varint records and CRC32C. Header-only, for any test binary.
//
//   auto batch = BatchBuilder().records(5).value_size(100).timestamp(1000).build();

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "conveyor/protocol/crc32c.h"
#include "conveyor/protocol/record_batch_header.h"
#include "conveyor/protocol/varint.h"

namespace conveyor::testing {

class BatchBuilder {
 public:
  BatchBuilder& records(int n) {
    records_ = n;
    return *this;
  }
  BatchBuilder& value_size(std::size_t n) {
    value_size_ = n;
    return *this;
  }
  // Timestamp of the first record; each next record adds `step`.
  BatchBuilder& timestamp(std::int64_t base, std::int64_t step = 0) {
    base_timestamp_ = base;
    timestamp_step_ = step;
    return *this;
  }
  BatchBuilder& key_prefix(std::string prefix) {
    key_prefix_ = std::move(prefix);
    return *this;
  }
  // Byte used to fill values (to tell batches apart).
  BatchBuilder& fill(std::uint8_t byte) {
    fill_ = byte;
    return *this;
  }

  // An idempotent producer's batch: its id, epoch and first sequence.
  BatchBuilder& producer(std::int64_t id, std::int16_t epoch, std::int32_t base_sequence) {
    producer_id_ = id;
    producer_epoch_ = epoch;
    base_sequence_ = base_sequence;
    return *this;
  }
  BatchBuilder& transactional(bool on = true) {
    transactional_ = on;
    return *this;
  }

  std::vector<std::uint8_t> build() const {
    namespace off = protocol::batch_offsets;
    std::vector<std::uint8_t> out(protocol::kRecordBatchHeaderSize, 0);
    for (int i = 0; i < records_; ++i) append_record(out, i);
    const std::int64_t max_ts = base_timestamp_ + timestamp_step_ * (records_ > 0 ? records_ - 1 : 0);
    std::uint8_t* p = out.data();
    protocol::store_be64(p + off::kBaseOffset, 0);
    protocol::store_be32(p + off::kBatchLength, static_cast<std::int32_t>(out.size() - protocol::kLogOverhead));
    protocol::store_be32(p + off::kPartitionLeaderEpoch, -1);
    p[off::kMagic] = static_cast<std::uint8_t>(protocol::kMagicV2);
    protocol::store_be16(p + off::kAttributes, transactional_ ? protocol::batch_attributes::kTransactional : 0);
    protocol::store_be32(p + off::kLastOffsetDelta, records_ - 1);
    protocol::store_be64(p + off::kBaseTimestamp, base_timestamp_);
    protocol::store_be64(p + off::kMaxTimestamp, max_ts);
    protocol::store_be64(p + off::kProducerId, producer_id_);
    protocol::store_be16(p + off::kProducerEpoch, producer_epoch_);
    protocol::store_be32(p + off::kBaseSequence, base_sequence_);
    protocol::store_be32(p + off::kRecordCount, records_);
    protocol::update_crc(out);
    return out;
  }

 private:
  static void put_varint(std::vector<std::uint8_t>& out, std::int64_t v) {
    std::uint8_t buf[protocol::varint::kMaxVarlongBytes];
    const std::uint8_t* end = protocol::varint::write_unsigned(buf, protocol::varint::zigzag_encode(v));
    out.insert(out.end(), static_cast<const std::uint8_t*>(buf), end);
  }

  void append_record(std::vector<std::uint8_t>& out, int i) const {
    std::vector<std::uint8_t> body;
    body.push_back(0);                                   // attributes
    put_varint(body, timestamp_step_ * i);               // timestamp delta
    put_varint(body, i);                                 // offset delta
    const std::string key = key_prefix_ + std::to_string(i);
    put_varint(body, static_cast<std::int64_t>(key.size()));
    body.insert(body.end(), key.begin(), key.end());
    put_varint(body, static_cast<std::int64_t>(value_size_));
    body.insert(body.end(), value_size_, fill_);
    put_varint(body, 0);                                 // headers
    put_varint(out, static_cast<std::int64_t>(body.size()));
    out.insert(out.end(), body.begin(), body.end());
  }

  int records_ = 1;
  std::size_t value_size_ = 16;
  std::int64_t base_timestamp_ = 1'000;
  std::int64_t timestamp_step_ = 0;
  std::string key_prefix_ = "k";
  std::uint8_t fill_ = 'v';
  std::int64_t producer_id_ = -1;
  std::int16_t producer_epoch_ = -1;
  std::int32_t base_sequence_ = -1;
  bool transactional_ = false;
};

// Concatenation of batches, as one Produce partition carries them.
inline std::vector<std::uint8_t> concat(std::initializer_list<std::span<const std::uint8_t>> parts) {
  std::vector<std::uint8_t> out;
  for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

}  // namespace conveyor::testing
