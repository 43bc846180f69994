// Control records: the keys and values of transaction markers.

#include "conveyor/protocol/record_batch.h"

namespace conveyor::protocol {
namespace {

constexpr std::size_t kControlKeySize = 4;
constexpr std::size_t kEndTxnMarkerSize = 6;

}  // namespace

Result<ControlRecordKey, BatchError> parse_control_record_key(NullableBytes key) {
  if (!key || key->size() < kControlKeySize) return Unexpected{BatchError::bad_control_record};
  ControlRecordKey result;
  result.version = load_be16(key->data());
  result.type = load_be16(key->data() + 2);
  // Bytes after the known fields are skipped, as Kafka's readers do.
  if (result.version < 0) return Unexpected{BatchError::bad_control_record};
  return result;
}

Result<EndTxnMarker, BatchError> parse_end_txn_marker(NullableBytes value) {
  if (!value || value->size() < kEndTxnMarkerSize) return Unexpected{BatchError::bad_control_record};
  EndTxnMarker result;
  result.version = load_be16(value->data());
  result.coordinator_epoch = load_be32(value->data() + 2);
  if (result.version < 0) return Unexpected{BatchError::bad_control_record};
  return result;
}

std::vector<std::uint8_t> build_end_txn_marker_batch(const EndTxnMarkerBatch& marker) {
  std::uint8_t key[kControlKeySize];
  store_be16(key, 0);
  store_be16(key + 2, static_cast<std::int16_t>(marker.type));
  std::uint8_t value[kEndTxnMarkerSize];
  store_be16(value, 0);
  store_be32(value + 2, marker.coordinator_epoch);

  RecordBatchBuilder builder;
  builder.set_base_offset(marker.base_offset)
      .set_partition_leader_epoch(marker.partition_leader_epoch)
      .set_producer(marker.producer_id, marker.producer_epoch, -1)
      .set_transactional(true)
      .set_control(true)
      .add(marker.timestamp, BytesView(key), BytesView(value));
  // Uncompressed and offsets in order: building cannot fail.
  auto batch = builder.build();
  return std::move(batch).value();
}

}  // namespace conveyor::protocol
