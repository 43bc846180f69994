#pragma once
// Image: an immutable snapshot of the cluster metadata (cluster id, brokers,
// topics with their partitions and config overrides), the result of applying
// the metadata log up to some offset. Shards hold a shared_ptr<const Image>
// and swap it when the controller publishes a newer one, so readers never
// lock and never see a half-applied change.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "conveyor/config/config_key.h"
#include "conveyor/metadata/metadata_record.h"
#include "conveyor/protocol/uuid.h"

namespace conveyor::metadata {

struct PartitionInfo {
  std::int32_t id = 0;
  std::vector<std::int32_t> replicas;
  std::vector<std::int32_t> isr;
  std::int32_t leader = -1;
  std::int32_t leader_epoch = 0;
  std::int32_t partition_epoch = 0;
};

struct TopicInfo {
  std::string name;
  protocol::Uuid id;
  std::vector<PartitionInfo> partitions;  // index == partition id
  config::ConfigValues configs;           // overrides only

  bool is_internal() const { return name.starts_with("__"); }
  std::int32_t partition_count() const { return static_cast<std::int32_t>(partitions.size()); }
};

struct BrokerInfo {
  std::int32_t node_id = 0;
  std::string host;
  std::uint16_t port = 0;
  std::optional<std::string> rack;
};

class Image {
 public:
  using TopicsByName = std::map<std::string, std::shared_ptr<const TopicInfo>, std::less<>>;

  const std::string& cluster_id() const { return cluster_id_; }
  std::int32_t controller_id() const { return controller_id_; }
  const std::vector<BrokerInfo>& brokers() const { return brokers_; }
  const BrokerInfo* broker(std::int32_t node_id) const;
  const TopicsByName& topics() const { return topics_; }
  std::shared_ptr<const TopicInfo> topic(std::string_view name) const;
  std::shared_ptr<const TopicInfo> topic(const protocol::Uuid& id) const;
  // Producer ids below this have been handed out (ProducerIdsRecord).
  std::int64_t next_producer_id() const { return next_producer_id_; }
  // The metadata log offset of the last record applied (-1: none).
  std::int64_t offset() const { return offset_; }

 private:
  friend class ImageBuilder;
  std::string cluster_id_;
  std::int32_t controller_id_ = -1;
  std::vector<BrokerInfo> brokers_;
  TopicsByName topics_;
  std::unordered_map<protocol::Uuid, std::shared_ptr<const TopicInfo>> topics_by_id_;
  std::int64_t next_producer_id_ = 0;
  std::int64_t offset_ = -1;
};

// Applies records to a copy of an image. Topics not touched by the records are
// shared with the base image, so a change costs O(topics) pointer copies.
class ImageBuilder {
 public:
  explicit ImageBuilder(const Image& base) : image_(base) {}

  void set_brokers(std::vector<BrokerInfo> brokers, std::int32_t controller_id);
  // Applies one record at metadata log offset `offset`; a record that does not
  // fit the image (a partition of an unknown topic) is an error message.
  Result<void, std::string> apply(const MetadataRecord& record, std::int64_t offset);
  std::shared_ptr<const Image> build();

 private:
  TopicInfo& mutable_topic(const protocol::Uuid& id);

  Image image_;
  std::unordered_map<protocol::Uuid, std::shared_ptr<TopicInfo>> modified_;
};

}  // namespace conveyor::metadata
