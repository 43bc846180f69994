#include "conveyor/txn/txn_records.h"

#include <map>

#include "conveyor/group/group_records.h"
#include "conveyor/protocol/wire_reader.h"
#include "conveyor/protocol/wire_writer.h"

namespace conveyor::txn {

namespace {

constexpr std::int16_t kKeyVersion = 0;
constexpr std::int16_t kValueVersion = 0;
// The smallest encoding of one topic entry: string length, partition count.
constexpr std::size_t kMinTopicBytes = 2 + 4;

}  // namespace

std::int32_t txn_partition_for(std::string_view transactional_id, std::int32_t partitions) {
  return group::offsets_partition_for(transactional_id, partitions);
}

std::vector<std::uint8_t> encode_txn_key(std::string_view transactional_id) {
  protocol::Writer w;
  w.write_int16(kKeyVersion);
  w.write_string(transactional_id, false);
  return std::move(w.buffer());
}

std::vector<std::uint8_t> encode_txn_value(const TxnMetadata& m) {
  protocol::Writer w;
  w.write_int16(kValueVersion);
  w.write_int64(m.producer_id);
  w.write_int16(m.producer_epoch);
  w.write_int32(m.timeout_ms);
  w.write_int8(static_cast<std::int8_t>(m.state));
  if (m.state == TxnState::empty) {
    w.write_int32(-1);  // Kafka writes no partition list for Empty
  } else {
    std::map<std::string_view, std::vector<std::int32_t>> by_topic;
    for (const auto& tp : m.partitions) by_topic[tp.topic].push_back(tp.partition);
    w.write_int32(static_cast<std::int32_t>(by_topic.size()));
    for (const auto& [topic, ids] : by_topic) {
      w.write_string(topic, false);
      w.write_int32(static_cast<std::int32_t>(ids.size()));
      for (const auto id : ids) w.write_int32(id);
    }
  }
  w.write_int64(m.last_update_ms);
  w.write_int64(m.start_timestamp_ms);
  w.write_int64(m.last_producer_id);
  w.write_int16(m.last_producer_epoch);
  return std::move(w.buffer());
}

std::optional<std::string> decode_txn_key(std::span<const std::uint8_t> bytes) {
  protocol::Reader r(bytes);
  const std::int16_t version = r.read_int16();
  if (!r.ok() || version != kKeyVersion) return std::nullopt;
  std::string id = r.read_string(false);
  if (!r.ok()) return std::nullopt;
  return id;
}

std::optional<TxnMetadata> decode_txn_value(std::string_view transactional_id,
                                            std::span<const std::uint8_t> bytes) {
  protocol::Reader r(bytes);
  const std::int16_t version = r.read_int16();
  if (!r.ok() || version != kValueVersion) return std::nullopt;
  TxnMetadata m;
  m.transactional_id = std::string(transactional_id);
  m.producer_id = r.read_int64();
  m.producer_epoch = r.read_int16();
  m.timeout_ms = r.read_int32();
  const auto state = txn_state_from_id(r.read_int8());
  if (!r.ok() || !state) return std::nullopt;
  m.state = *state;
  const std::int32_t topics = r.read_int32();
  if (!r.ok() || topics < -1 ||
      (topics > 0 && static_cast<std::size_t>(topics) * kMinTopicBytes > r.remaining())) {
    return std::nullopt;
  }
  for (std::int32_t t = 0; t < topics && r.ok(); ++t) {
    std::string topic = r.read_string(false);
    const std::int32_t count = r.read_int32();
    if (!r.ok() || count < 0 || static_cast<std::size_t>(count) * 4 > r.remaining())
      return std::nullopt;
    for (std::int32_t p = 0; p < count; ++p) m.partitions.insert({topic, r.read_int32()});
  }
  m.last_update_ms = r.read_int64();
  m.start_timestamp_ms = r.read_int64();
  m.last_producer_id = r.read_int64();
  m.last_producer_epoch = r.read_int16();
  if (!r.ok()) return std::nullopt;
  return m;
}

}  // namespace conveyor::txn
