#include "conveyor/metadata/controller.h"

#include <algorithm>
#include <set>

#include "conveyor/config/topic_config.h"
#include "conveyor/metadata/topic_name.h"

namespace conveyor::metadata {

using protocol::ErrorCode;

Controller::Controller(const config::BrokerConfig& config, MetadataStore& store,
                       std::vector<BrokerInfo> brokers)
    : config_(config), store_(store), brokers_(std::move(brokers)) {
  ImageBuilder builder{Image{}};
  builder.set_brokers(brokers_, config_.node_id);
  image_ = builder.build();
}

Result<void, std::string> Controller::load() {
  auto stored = store_.read_all();
  if (!stored) return Unexpected{stored.error()};
  ImageBuilder builder(*image_);
  for (const auto& record : stored.value()) {
    auto decoded = decode_record(record.bytes);
    if (!decoded) return Unexpected{"metadata log offset " + std::to_string(record.offset) + ": " + decoded.error()};
    if (auto applied = builder.apply(decoded.value(), record.offset); !applied) {
      return Unexpected{"metadata log offset " + std::to_string(record.offset) + ": " + applied.error()};
    }
  }
  image_ = builder.build();
  if (image_->cluster_id().empty()) {
    ClusterIdRecord id;
    id.cluster_id = protocol::Uuid::random().to_base64();
    if (auto error = commit({id})) return Unexpected{*error};
  }
  return {};
}

std::optional<std::string> Controller::commit(const std::vector<MetadataRecord>& records) {
  std::vector<std::vector<std::uint8_t>> encoded;
  encoded.reserve(records.size());
  for (const auto& r : records) encoded.push_back(encode_record(r));
  auto first = store_.append(encoded);
  if (!first) return first.error();
  ImageBuilder builder(*image_);
  for (std::size_t i = 0; i < records.size(); ++i) {
    // The records were validated against this image; failing here is a bug.
    if (auto applied = builder.apply(records[i], first.value() + static_cast<std::int64_t>(i)); !applied) {
      throw std::logic_error("metadata record does not apply: " + applied.error());
    }
  }
  image_ = builder.build();
  return std::nullopt;
}

Result<std::int64_t, std::string> Controller::allocate_producer_ids(std::int32_t broker_id, std::int64_t count) {
  const std::int64_t first = image_->next_producer_id();
  if (count <= 0 || first > INT64_MAX - count) return Unexpected{std::string("producer ids exhausted")};
  ProducerIdsRecord record;
  record.broker_id = broker_id;
  record.broker_epoch = 0;
  record.next_producer_id = first + count;
  if (auto error = commit({record})) return Unexpected{*error};
  return first;
}

std::vector<std::int32_t> Controller::assign_replicas(std::int32_t partition,
                                                      std::int16_t replication_factor) const {
  // Round-robin from a per-partition start, as Kafka's default assignor does
  // without racks: leaders spread over the brokers.
  std::vector<std::int32_t> replicas;
  const auto n = static_cast<std::int32_t>(brokers_.size());
  for (std::int16_t r = 0; r < replication_factor; ++r) {
    replicas.push_back(brokers_[static_cast<std::size_t>((partition + r) % n)].node_id);
  }
  return replicas;
}

TopicChangeResult Controller::validate_new_topic(const NewTopic& topic, std::int32_t& partitions,
                                                 std::int16_t& replication_factor,
                                                 std::vector<std::vector<std::int32_t>>& replicas) const {
  if (auto error = validate_topic_name(topic.name)) {
    return TopicChangeResult::failed(ErrorCode::invalid_topic_exception, *error);
  }
  if (image_->topic(topic.name)) {
    return TopicChangeResult::failed(ErrorCode::topic_already_exists,
                                     "Topic '" + topic.name + "' already exists.");
  }
  const std::string key = collision_key(topic.name);
  for (const auto& [name, info] : image_->topics()) {
    if (collision_key(name) == key) {
      return TopicChangeResult::failed(ErrorCode::invalid_topic_exception,
                                       "Topic '" + topic.name + "' collides with existing topic: " + name);
    }
  }
  const auto broker_count = static_cast<std::int32_t>(brokers_.size());
  replicas.clear();
  if (!topic.assignments.empty()) {
    if (topic.num_partitions != -1 || topic.replication_factor != -1) {
      return TopicChangeResult::failed(ErrorCode::invalid_request,
                                       "Both numPartitions or replicationFactor and replicasAssignments were set. "
                                       "Both cannot be used at the same time.");
    }
    if (topic.assignments.size() > static_cast<std::size_t>(kMaxPartitionsPerTopic)) {
      return TopicChangeResult::failed(ErrorCode::invalid_partitions, "Too many partitions.");
    }
    for (const auto& assignment : topic.assignments) {
      std::set<std::int32_t> distinct(assignment.begin(), assignment.end());
      if (assignment.empty() || distinct.size() != assignment.size() ||
          assignment.size() != topic.assignments.front().size()) {
        return TopicChangeResult::failed(ErrorCode::invalid_replica_assignment,
                                         "Replica assignments must be non-empty, without duplicates, and of equal size.");
      }
      for (std::int32_t node : assignment) {
        if (!image_->broker(node)) {
          return TopicChangeResult::failed(ErrorCode::invalid_replica_assignment,
                                           "Unknown broker " + std::to_string(node) + " in replica assignment.");
        }
      }
      replicas.push_back(assignment);
    }
    partitions = static_cast<std::int32_t>(topic.assignments.size());
    replication_factor = static_cast<std::int16_t>(topic.assignments.front().size());
  } else {
    partitions = topic.num_partitions == -1 ? config_.num_partitions : topic.num_partitions;
    replication_factor =
        topic.replication_factor == -1 ? config_.default_replication_factor : topic.replication_factor;
    if (partitions <= 0) {
      return TopicChangeResult::failed(ErrorCode::invalid_partitions, "Number of partitions must be larger than 0.");
    }
    if (partitions > kMaxPartitionsPerTopic) {
      return TopicChangeResult::failed(ErrorCode::invalid_partitions,
                                       "Number of partitions exceeds the limit of " +
                                           std::to_string(kMaxPartitionsPerTopic) + " per topic.");
    }
    if (replication_factor <= 0) {
      return TopicChangeResult::failed(ErrorCode::invalid_replication_factor,
                                       "Replication factor must be larger than 0.");
    }
    if (replication_factor > broker_count) {
      return TopicChangeResult::failed(
          ErrorCode::invalid_replication_factor,
          "Replication factor: " + std::to_string(replication_factor) +
              " larger than available brokers: " + std::to_string(broker_count) + ".");
    }
    for (std::int32_t p = 0; p < partitions; ++p) replicas.push_back(assign_replicas(p, replication_factor));
  }
  if (auto valid = config::validate_topic_configs(topic.configs); !valid) {
    return TopicChangeResult::failed(ErrorCode::invalid_config, valid.error());
  }
  return {};
}

std::vector<TopicChangeResult> Controller::create_topics(const std::vector<NewTopic>& topics, bool validate_only) {
  std::vector<TopicChangeResult> results(topics.size());
  std::vector<MetadataRecord> records;
  std::map<std::string, int> seen;
  for (const auto& topic : topics) ++seen[topic.name];
  std::set<std::string> created_keys;
  for (std::size_t i = 0; i < topics.size(); ++i) {
    const NewTopic& topic = topics[i];
    if (seen[topic.name] > 1) {
      results[i] = TopicChangeResult::failed(ErrorCode::invalid_request,
                                             "Create topics request contains multiple entries for topic " + topic.name);
      continue;
    }
    std::int32_t partitions = 0;
    std::int16_t replication_factor = 0;
    std::vector<std::vector<std::int32_t>> replicas;
    results[i] = validate_new_topic(topic, partitions, replication_factor, replicas);
    if (results[i].error != ErrorCode::none) continue;
    if (!created_keys.insert(collision_key(topic.name)).second) {
      results[i] = TopicChangeResult::failed(ErrorCode::invalid_topic_exception,
                                             "Topic '" + topic.name + "' collides with another topic in this request.");
      continue;
    }
    results[i].partitions = partitions;
    results[i].replication_factor = replication_factor;
    if (validate_only) continue;
    TopicRecord topic_record;
    topic_record.name = topic.name;
    topic_record.topic_id = protocol::Uuid::random();
    results[i].topic_id = topic_record.topic_id;
    records.emplace_back(topic_record);
    for (std::int32_t p = 0; p < partitions; ++p) {
      PartitionRecord partition;
      partition.partition_id = p;
      partition.topic_id = topic_record.topic_id;
      partition.replicas = replicas[static_cast<std::size_t>(p)];
      partition.isr = partition.replicas;
      partition.leader = partition.replicas.front();
      partition.leader_epoch = 0;
      partition.partition_epoch = 0;
      records.emplace_back(std::move(partition));
    }
    const auto configs = config::validate_topic_configs(topic.configs);
    for (const auto& [name, value] : configs.value()) {
      ConfigRecord config_record;
      config_record.resource_type = kTopicResource;
      config_record.resource_name = topic.name;
      config_record.name = name;
      config_record.value = value;
      records.emplace_back(std::move(config_record));
    }
  }
  if (!records.empty()) {
    if (auto error = commit(records)) {
      for (auto& r : results) {
        if (r.error == ErrorCode::none) r = TopicChangeResult::failed(ErrorCode::kafka_storage_error, *error);
      }
    }
  }
  return results;
}

TopicChangeResult Controller::delete_topic(const std::shared_ptr<const TopicInfo>& topic) {
  if (!config_.delete_topic_enable) {
    return TopicChangeResult::failed(ErrorCode::topic_deletion_disabled, "Topic deletion is disabled.");
  }
  RemoveTopicRecord record;
  record.topic_id = topic->id;
  if (auto error = commit({record})) return TopicChangeResult::failed(ErrorCode::kafka_storage_error, *error);
  TopicChangeResult result;
  result.topic_id = topic->id;
  return result;
}

TopicChangeResult Controller::create_partitions(std::string_view name, std::int32_t total_count,
                                                const std::vector<std::vector<std::int32_t>>& assignments,
                                                bool validate_only) {
  auto topic = image_->topic(name);
  if (!topic) {
    return TopicChangeResult::failed(ErrorCode::unknown_topic_or_partition,
                                     "The topic '" + std::string(name) + "' does not exist.");
  }
  const std::int32_t current = topic->partition_count();
  if (total_count <= current) {
    return TopicChangeResult::failed(
        ErrorCode::invalid_partitions,
        "Topic currently has " + std::to_string(current) + " partitions, which is higher than the requested " +
            std::to_string(total_count) + ".");
  }
  if (total_count > kMaxPartitionsPerTopic) {
    return TopicChangeResult::failed(ErrorCode::invalid_partitions, "Number of partitions exceeds the limit.");
  }
  const auto replication_factor = static_cast<std::int16_t>(topic->partitions.front().replicas.size());
  if (!assignments.empty() && static_cast<std::int32_t>(assignments.size()) != total_count - current) {
    return TopicChangeResult::failed(ErrorCode::invalid_replica_assignment,
                                     "Increasing the number of partitions by " + std::to_string(total_count - current) +
                                         " but " + std::to_string(assignments.size()) + " assignments provided.");
  }
  for (const auto& assignment : assignments) {
    for (std::int32_t node : assignment) {
      if (!image_->broker(node)) {
        return TopicChangeResult::failed(ErrorCode::invalid_replica_assignment,
                                         "Unknown broker " + std::to_string(node) + " in replica assignment.");
      }
    }
    if (assignment.size() != static_cast<std::size_t>(replication_factor)) {
      return TopicChangeResult::failed(ErrorCode::invalid_replica_assignment,
                                       "Inconsistent replication factor in the replica assignment.");
    }
  }
  TopicChangeResult result;
  result.topic_id = topic->id;
  result.partitions = total_count;
  if (validate_only) return result;
  std::vector<MetadataRecord> records;
  for (std::int32_t p = current; p < total_count; ++p) {
    PartitionRecord partition;
    partition.partition_id = p;
    partition.topic_id = topic->id;
    partition.replicas = assignments.empty() ? assign_replicas(p, replication_factor)
                                             : assignments[static_cast<std::size_t>(p - current)];
    partition.isr = partition.replicas;
    partition.leader = partition.replicas.front();
    partition.leader_epoch = 0;
    partition.partition_epoch = 0;
    records.emplace_back(std::move(partition));
  }
  if (auto error = commit(records)) return TopicChangeResult::failed(ErrorCode::kafka_storage_error, *error);
  return result;
}

TopicChangeResult Controller::alter_topic_configs(std::string_view name, const std::vector<ConfigChange>& changes,
                                                  bool incremental, bool validate_only) {
  auto topic = image_->topic(name);
  if (!topic) {
    return TopicChangeResult::failed(ErrorCode::unknown_topic_or_partition,
                                     "The topic '" + std::string(name) + "' does not exist.");
  }
  config::ConfigValues next = incremental ? topic->configs : config::ConfigValues{};
  for (const auto& change : changes) {
    const auto* key = config::find_topic_key(change.name);
    if (key == nullptr) {
      return TopicChangeResult::failed(ErrorCode::invalid_config, "Unknown topic config name: " + change.name);
    }
    switch (change.op) {
      case ConfigOp::set:
        if (!change.value) {
          return TopicChangeResult::failed(ErrorCode::invalid_request, "Null value not supported for " + change.name);
        }
        next[change.name] = *change.value;
        break;
      case ConfigOp::remove:
        next.erase(change.name);
        break;
      case ConfigOp::append:
      case ConfigOp::subtract: {
        if (key->key.type != config::ConfigType::list) {
          return TopicChangeResult::failed(ErrorCode::invalid_config,
                                           "Config value append/subtract is only supported for list configs: " +
                                               change.name);
        }
        auto items = config::as_list(next.contains(change.name)
                                         ? next[change.name]
                                         : std::string(key->key.default_value));
        for (const auto& item : config::as_list(change.value.value_or(""))) {
          auto it = std::find(items.begin(), items.end(), item);
          if (change.op == ConfigOp::append && it == items.end()) items.push_back(item);
          if (change.op == ConfigOp::subtract && it != items.end()) items.erase(it);
        }
        std::string joined;
        for (const auto& item : items) joined += (joined.empty() ? "" : ",") + item;
        next[change.name] = joined;
        break;
      }
    }
  }
  auto validated = config::validate_topic_configs(next);
  if (!validated) return TopicChangeResult::failed(ErrorCode::invalid_config, validated.error());
  TopicChangeResult result;
  result.topic_id = topic->id;
  if (validate_only) return result;
  std::vector<MetadataRecord> records;
  for (const auto& [key, value] : topic->configs) {
    if (!validated.value().contains(key)) {
      ConfigRecord removal;
      removal.resource_type = kTopicResource;
      removal.resource_name = topic->name;
      removal.name = key;
      removal.value = std::nullopt;
      records.emplace_back(std::move(removal));
    }
  }
  for (const auto& [key, value] : validated.value()) {
    auto old = topic->configs.find(key);
    if (old != topic->configs.end() && old->second == value) continue;
    ConfigRecord set;
    set.resource_type = kTopicResource;
    set.resource_name = topic->name;
    set.name = key;
    set.value = value;
    records.emplace_back(std::move(set));
  }
  if (!records.empty()) {
    if (auto error = commit(records)) return TopicChangeResult::failed(ErrorCode::kafka_storage_error, *error);
  }
  return result;
}

}  // namespace conveyor::metadata
