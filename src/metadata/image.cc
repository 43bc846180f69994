#include "conveyor/metadata/image.h"

namespace conveyor::metadata {

const BrokerInfo* Image::broker(std::int32_t node_id) const {
  for (const auto& b : brokers_) {
    if (b.node_id == node_id) return &b;
  }
  return nullptr;
}

std::shared_ptr<const TopicInfo> Image::topic(std::string_view name) const {
  auto it = topics_.find(name);
  return it == topics_.end() ? nullptr : it->second;
}

std::shared_ptr<const TopicInfo> Image::topic(const protocol::Uuid& id) const {
  auto it = topics_by_id_.find(id);
  return it == topics_by_id_.end() ? nullptr : it->second;
}

void ImageBuilder::set_brokers(std::vector<BrokerInfo> brokers, std::int32_t controller_id) {
  image_.brokers_ = std::move(brokers);
  image_.controller_id_ = controller_id;
}

TopicInfo& ImageBuilder::mutable_topic(const protocol::Uuid& id) {
  auto it = modified_.find(id);
  if (it != modified_.end()) return *it->second;
  auto copy = std::make_shared<TopicInfo>(*image_.topics_by_id_.at(id));
  image_.topics_by_id_[id] = copy;
  image_.topics_[copy->name] = copy;
  modified_[id] = copy;
  return *copy;
}

Result<void, std::string> ImageBuilder::apply(const MetadataRecord& record, std::int64_t offset) {
  image_.offset_ = offset;
  if (const auto* r = std::get_if<ClusterIdRecord>(&record)) {
    image_.cluster_id_ = r->cluster_id;
    return {};
  }
  if (const auto* r = std::get_if<TopicRecord>(&record)) {
    if (image_.topics_by_id_.contains(r->topic_id) || image_.topics_.contains(r->name)) {
      return Unexpected{"topic " + r->name + " already exists"};
    }
    auto topic = std::make_shared<TopicInfo>();
    topic->name = r->name;
    topic->id = r->topic_id;
    image_.topics_[topic->name] = topic;
    image_.topics_by_id_[topic->id] = topic;
    modified_[topic->id] = topic;
    return {};
  }
  if (const auto* r = std::get_if<PartitionRecord>(&record)) {
    if (!image_.topics_by_id_.contains(r->topic_id)) {
      return Unexpected{"partition record for unknown topic id " + r->topic_id.to_base64()};
    }
    TopicInfo& topic = mutable_topic(r->topic_id);
    if (r->partition_id < 0 || r->partition_id > topic.partition_count()) {
      return Unexpected{"partition " + std::to_string(r->partition_id) + " of " + topic.name + " out of order"};
    }
    PartitionInfo info{r->partition_id, r->replicas, r->isr, r->leader, r->leader_epoch, r->partition_epoch};
    if (r->partition_id == topic.partition_count()) {
      topic.partitions.push_back(std::move(info));
    } else {
      topic.partitions[static_cast<std::size_t>(r->partition_id)] = std::move(info);
    }
    return {};
  }
  if (const auto* r = std::get_if<RemoveTopicRecord>(&record)) {
    auto it = image_.topics_by_id_.find(r->topic_id);
    if (it == image_.topics_by_id_.end()) return Unexpected{std::string("removal of an unknown topic")};
    image_.topics_.erase(it->second->name);
    image_.topics_by_id_.erase(it);
    modified_.erase(r->topic_id);
    return {};
  }
  if (const auto* r = std::get_if<ConfigRecord>(&record)) {
    if (r->resource_type != kTopicResource) return {};  // broker overrides: not yet dynamic
    auto topic = image_.topic(r->resource_name);
    if (!topic) return Unexpected{"config for unknown topic " + r->resource_name};
    TopicInfo& mutable_info = mutable_topic(topic->id);
    if (r->value) {
      mutable_info.configs[r->name] = *r->value;
    } else {
      mutable_info.configs.erase(r->name);
    }
    return {};
  }
  if (const auto* r = std::get_if<ProducerIdsRecord>(&record)) {
    if (r->next_producer_id < image_.next_producer_id_) return Unexpected{std::string("producer ids went backwards")};
    image_.next_producer_id_ = r->next_producer_id;
    return {};
  }
  return Unexpected{std::string("unhandled metadata record")};
}

std::shared_ptr<const Image> ImageBuilder::build() {
  modified_.clear();
  return std::make_shared<const Image>(image_);
}

}  // namespace conveyor::metadata
