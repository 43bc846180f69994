#include "conveyor/metadata/metadata_record.h"

namespace conveyor::metadata {

namespace {

template <typename T>
constexpr RecordType type_of() {
  if constexpr (std::is_same_v<T, ClusterIdRecord>) return RecordType::cluster_id;
  if constexpr (std::is_same_v<T, TopicRecord>) return RecordType::topic;
  if constexpr (std::is_same_v<T, PartitionRecord>) return RecordType::partition;
  if constexpr (std::is_same_v<T, RemoveTopicRecord>) return RecordType::remove_topic;
  if constexpr (std::is_same_v<T, ConfigRecord>) return RecordType::config;
  if constexpr (std::is_same_v<T, ProducerIdsRecord>) return RecordType::producer_ids;
}

template <typename T>
Result<MetadataRecord, std::string> decode_body(protocol::Reader& reader, std::int16_t version) {
  T record;
  if (auto error = record.decode(reader, version); error != protocol::ProtocolError::none) {
    return Unexpected{std::string(T::kName) + ": " + std::string(protocol::to_string(error))};
  }
  if (!reader.at_end()) return Unexpected{std::string(T::kName) + ": trailing bytes"};
  return MetadataRecord(std::move(record));
}

}  // namespace

std::vector<std::uint8_t> encode_record(const MetadataRecord& record) {
  protocol::Writer writer;
  std::visit(
      [&](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        writer.write_int16(static_cast<std::int16_t>(type_of<T>()));
        writer.write_int16(T::kHighestVersion);
        // Metadata records are built by the controller; a failure is a bug.
        if (r.encode(writer, T::kHighestVersion) != protocol::ProtocolError::none) {
          throw std::logic_error("cannot encode metadata record");
        }
      },
      record);
  return writer.flatten();
}

Result<MetadataRecord, std::string> decode_record(std::span<const std::uint8_t> bytes) {
  protocol::Reader reader(bytes);
  const auto type = static_cast<RecordType>(reader.read_int16());
  const std::int16_t version = reader.read_int16();
  if (!reader.ok()) return Unexpected{std::string("metadata record shorter than its header")};
  switch (type) {
    case RecordType::cluster_id: return decode_body<ClusterIdRecord>(reader, version);
    case RecordType::topic: return decode_body<TopicRecord>(reader, version);
    case RecordType::partition: return decode_body<PartitionRecord>(reader, version);
    case RecordType::remove_topic: return decode_body<RemoveTopicRecord>(reader, version);
    case RecordType::config: return decode_body<ConfigRecord>(reader, version);
    case RecordType::producer_ids: return decode_body<ProducerIdsRecord>(reader, version);
  }
  return Unexpected{"unknown metadata record type " + std::to_string(static_cast<int>(type))};
}

}  // namespace conveyor::metadata
