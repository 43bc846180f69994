#pragma once
// Record batches for the benchmarks: valid v2 batches (uncompressed records
// with varint fields, correct lengths and CRC), built without the record
// batch builder so that the benchmarks of the header code stand alone.

#include <cstdint>
#include <string>
#include <vector>

#include "conveyor/protocol/record_batch_header.h"
#include "conveyor/protocol/wire_writer.h"

namespace conveyor::bench {

// A batch of `records` records, each with a 6-byte key and a `value_size`-byte
// value, base offset 0, created at a fixed time.
inline std::vector<std::uint8_t> make_batch(int records, std::size_t value_size) {
  namespace off = protocol::batch_offsets;
  constexpr std::int64_t kTimestamp = 1'700'000'000'000;
  protocol::Writer body;
  const std::string value(value_size, 'v');
  for (int i = 0; i < records; ++i) {
    const std::string key = "key-" + std::to_string(i % 100);
    protocol::Writer record;
    record.write_int8(0);     // attributes
    record.write_varlong(i);  // timestamp delta
    record.write_varint(i);   // offset delta
    record.write_varint(static_cast<std::int32_t>(key.size()));
    record.write_raw({reinterpret_cast<const std::uint8_t*>(key.data()), key.size()});
    record.write_varint(static_cast<std::int32_t>(value.size()));
    record.write_raw({reinterpret_cast<const std::uint8_t*>(value.data()), value.size()});
    record.write_uvarint(0);  // headers
    body.write_varint(static_cast<std::int32_t>(record.size()));
    body.write_raw(record.buffer());
  }
  std::vector<std::uint8_t> batch(protocol::kRecordBatchHeaderSize + body.size());
  std::uint8_t* p = batch.data();
  protocol::store_be64(p + off::kBaseOffset, 0);
  protocol::store_be32(p + off::kBatchLength,
                       static_cast<std::int32_t>(batch.size() - protocol::kLogOverhead));
  protocol::store_be32(p + off::kPartitionLeaderEpoch, -1);
  p[off::kMagic] = static_cast<std::uint8_t>(protocol::kMagicV2);
  protocol::store_be16(p + off::kAttributes, 0);
  protocol::store_be32(p + off::kLastOffsetDelta, records - 1);
  protocol::store_be64(p + off::kBaseTimestamp, kTimestamp);
  protocol::store_be64(p + off::kMaxTimestamp, kTimestamp + records - 1);
  protocol::store_be64(p + off::kProducerId, -1);
  protocol::store_be16(p + off::kProducerEpoch, -1);
  protocol::store_be32(p + off::kBaseSequence, -1);
  protocol::store_be32(p + off::kRecordCount, records);
  std::copy(body.buffer().begin(), body.buffer().end(),
            batch.begin() + protocol::kRecordBatchHeaderSize);
  protocol::update_crc(batch);
  return batch;
}

}  // namespace conveyor::bench
