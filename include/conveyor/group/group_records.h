#pragma once
// The records the group coordinator keeps in __consumer_offsets, modelled on
// Kafka's OffsetCommitKey/Value and GroupMetadataKey/Value. Every field is
// big-endian; strings are int16 length + UTF-8 (-1 for null); bytes are
// int32 length + bytes.
//
// key (record key), selected by its version:
//   version int16  0 or 1: an offset commit   2: group metadata
//   offset commit: group string, topic string, partition int32
//   group metadata: group string
//
// value (record value; null = tombstone, the key is deleted):
//   offset commit, version int16 3:
//     offset int64, leader_epoch int32 (-1: none), metadata string,
//     commit_timestamp int64
//   group metadata, version int16 3:
//     protocol_type string, generation int32, protocol nullable string,
//     leader nullable string, state_timestamp int64,
//     members int32 count x { member_id string, group_instance_id nullable
//       string, client_id string, client_host string, rebalance_timeout int32,
//       session_timeout int32, subscription bytes, assignment bytes }
//
// Because each key names exactly one (group[, topic, partition]), log
// compaction keeps the latest commit of every partition and the latest
// metadata of every group; DeleteGroups and OffsetDelete write tombstones.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace conveyor::group {

// Kafka's partition of __consumer_offsets for a group id:
// abs(java.lang.String.hashCode(group_id)) % partitions (hashCode over the
// UTF-16 code units of the id; Utils.abs maps INT_MIN to 0).
std::int32_t offsets_partition_for(std::string_view group_id, std::int32_t partitions);

struct OffsetKey {
  std::string group;
  std::string topic;
  std::int32_t partition = 0;
};

struct GroupKey {
  std::string group;
};

struct OffsetValue {
  std::int64_t offset = -1;
  std::int32_t leader_epoch = -1;
  std::string metadata;
  std::int64_t commit_timestamp = -1;
};

struct StoredMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  std::int32_t rebalance_timeout_ms = 0;
  std::int32_t session_timeout_ms = 0;
  std::vector<std::uint8_t> subscription;
  std::vector<std::uint8_t> assignment;
};

struct GroupValue {
  std::string protocol_type;
  std::int32_t generation = 0;
  std::optional<std::string> protocol;
  std::optional<std::string> leader;
  std::int64_t state_timestamp = -1;
  std::vector<StoredMember> members;
};

using RecordKey = std::variant<OffsetKey, GroupKey>;

std::vector<std::uint8_t> encode_key(const OffsetKey& key);
std::vector<std::uint8_t> encode_key(const GroupKey& key);
std::vector<std::uint8_t> encode_value(const OffsetValue& value);
std::vector<std::uint8_t> encode_value(const GroupValue& value);

// nullopt for bytes that are not one of the layouts above (skipped on load).
std::optional<RecordKey> decode_key(std::span<const std::uint8_t> bytes);
std::optional<OffsetValue> decode_offset_value(std::span<const std::uint8_t> bytes);
std::optional<GroupValue> decode_group_value(std::span<const std::uint8_t> bytes);

}  // namespace conveyor::group
