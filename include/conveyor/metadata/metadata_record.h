#pragma once
// MetadataRecord: one change to the cluster's metadata, as stored in the
// metadata log. Encoding (the value of a log record):
//
//   int16 type | int16 version | body (the generated type's encoding)
//
// Types are Conveyor's own numbering; bodies follow Kafka's KRaft records.

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "conveyor/base/result.h"
#include "conveyor/metadata/records/cluster_id_record.h"
#include "conveyor/metadata/records/config_record.h"
#include "conveyor/metadata/records/partition_record.h"
#include "conveyor/metadata/records/producer_ids_record.h"
#include "conveyor/metadata/records/remove_topic_record.h"
#include "conveyor/metadata/records/topic_record.h"

namespace conveyor::metadata {

using MetadataRecord =
    std::variant<ClusterIdRecord, TopicRecord, PartitionRecord, RemoveTopicRecord, ConfigRecord,
                 ProducerIdsRecord>;

enum class RecordType : std::int16_t {
  cluster_id = 1,
  topic = 2,
  partition = 3,
  remove_topic = 4,
  config = 5,
  producer_ids = 6,
};

// DescribeConfigs resource types used in ConfigRecord.
inline constexpr std::int8_t kTopicResource = 2;
inline constexpr std::int8_t kBrokerResource = 4;

std::vector<std::uint8_t> encode_record(const MetadataRecord& record);
Result<MetadataRecord, std::string> decode_record(std::span<const std::uint8_t> bytes);

}  // namespace conveyor::metadata
