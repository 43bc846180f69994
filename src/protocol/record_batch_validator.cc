// validate_batch: the append path's full check of one produced batch. Walks
// the records once without keeping them (no allocation for uncompressed
// batches).

#include "conveyor/protocol/record_batch.h"

namespace conveyor::protocol {

Result<BatchSummary, BatchError> validate_batch(BytesView batch, std::size_t max_decompressed) {
  auto header = read_batch_header(batch);
  if (!header) return Unexpected{header.error()};
  if (batch.size() < header->size_in_bytes()) return Unexpected{BatchError::truncated};
  if (batch.size() > header->size_in_bytes()) return Unexpected{BatchError::bad_length};
  if (!batch_crc_matches(batch)) return Unexpected{BatchError::bad_crc};
  // A producer's batch covers exactly its records' offsets.
  if (header->record_count != header->last_offset_delta + 1) return Unexpected{BatchError::bad_offset_delta};

  std::vector<std::uint8_t> owned;
  auto section = read_records_section(batch, *header, max_decompressed, owned);
  if (!section) return Unexpected{section.error()};
  if (static_cast<std::size_t>(header->record_count) > section->size() / kMinRecordSize) {
    return Unexpected{BatchError::bad_record_count};
  }

  BatchSummary summary;
  summary.header = *header;
  RecordReader reader(*section, header->record_count);
  Record record;
  for (std::int32_t i = 0;; ++i) {
    auto more = reader.next(record);
    if (!more) return Unexpected{more.error()};
    if (!*more) break;
    if (record.offset_delta != i) return Unexpected{BatchError::bad_offset_delta};
    const auto timestamp = static_cast<std::int64_t>(static_cast<std::uint64_t>(header->base_timestamp) +
                                                     static_cast<std::uint64_t>(record.timestamp_delta));
    if (i == 0 || timestamp > summary.max_timestamp) {
      summary.max_timestamp = timestamp;
      summary.offset_delta_of_max_timestamp = i;
    }
    if (!record.key) summary.has_null_key = true;
    if (header->is_control()) {
      auto key = parse_control_record_key(record.key);
      if (!key) return Unexpected{key.error()};
      if (key->type == static_cast<std::int16_t>(ControlRecordType::abort) ||
          key->type == static_cast<std::int16_t>(ControlRecordType::commit)) {
        auto marker = parse_end_txn_marker(record.value);
        if (!marker) return Unexpected{marker.error()};
      }
    }
  }
  return summary;
}

}  // namespace conveyor::protocol
