#pragma once
// Controller: validates metadata changes (create/delete topics, add
// partitions, change topic configs), turns each accepted change into records,
// appends them durably to the metadata log, and applies them to a new Image.
// On a single node it is the quorum of one; the records are what a Raft
// quorum would replicate.
//
// Lives on one shard (shard 0); not thread-safe. Each call that changes
// anything returns after the change is durable and image() reflects it; the
// broker then publishes the new image to every shard.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "conveyor/config/broker_config.h"
#include "conveyor/metadata/image.h"
#include "conveyor/metadata/metadata_store.h"
#include "conveyor/protocol/error_code.h"

namespace conveyor::metadata {

// A safety bound on partitions per topic: a request for 2^31 partitions must
// fail fast, not try to create them.
inline constexpr std::int32_t kMaxPartitionsPerTopic = 100000;

struct TopicChangeResult {
  protocol::ErrorCode error = protocol::ErrorCode::none;
  std::string message;
  protocol::Uuid topic_id;
  std::int32_t partitions = -1;
  std::int16_t replication_factor = -1;

  static TopicChangeResult failed(protocol::ErrorCode code, std::string message) {
    TopicChangeResult r;
    r.error = code;
    r.message = std::move(message);
    return r;
  }
};

struct NewTopic {
  std::string name;
  std::int32_t num_partitions = -1;        // -1: num.partitions
  std::int16_t replication_factor = -1;    // -1: default.replication.factor
  std::vector<std::vector<std::int32_t>> assignments;  // optional manual replica lists
  config::ConfigValues configs;
};

enum class ConfigOp : std::int8_t { set = 0, remove = 1, append = 2, subtract = 3 };
struct ConfigChange {
  std::string name;
  std::optional<std::string> value;
  ConfigOp op = ConfigOp::set;
};

class Controller {
 public:
  Controller(const config::BrokerConfig& config, MetadataStore& store, std::vector<BrokerInfo> brokers);

  // Replays the metadata log; on a fresh log, generates and stores a cluster id.
  Result<void, std::string> load();
  std::shared_ptr<const Image> image() const { return image_; }

  // One result per topic, in order. validate_only checks without committing.
  std::vector<TopicChangeResult> create_topics(const std::vector<NewTopic>& topics, bool validate_only);
  TopicChangeResult delete_topic(const std::shared_ptr<const TopicInfo>& topic);
  TopicChangeResult create_partitions(std::string_view topic, std::int32_t total_count,
                                      const std::vector<std::vector<std::int32_t>>& assignments,
                                      bool validate_only);
  // incremental=false (AlterConfigs): `changes` become the topic's complete set
  // of overrides. incremental=true: each change is applied with its op.
  TopicChangeResult alter_topic_configs(std::string_view topic, const std::vector<ConfigChange>& changes,
                                        bool incremental, bool validate_only);
  // Reserves `count` producer ids for `broker_id` durably (Kafka's
  // AllocateProducerIds); returns the first. Ids are never reused.
  Result<std::int64_t, std::string> allocate_producer_ids(std::int32_t broker_id, std::int64_t count);

 private:
  TopicChangeResult validate_new_topic(const NewTopic& topic, std::int32_t& partitions,
                                       std::int16_t& replication_factor,
                                       std::vector<std::vector<std::int32_t>>& replicas) const;
  std::vector<std::int32_t> assign_replicas(std::int32_t partition, std::int16_t replication_factor) const;
  // Appends `records` durably and applies them; an error message if the store fails.
  std::optional<std::string> commit(const std::vector<MetadataRecord>& records);

  const config::BrokerConfig& config_;
  MetadataStore& store_;
  std::vector<BrokerInfo> brokers_;
  std::shared_ptr<const Image> image_;
};

}  // namespace conveyor::metadata
