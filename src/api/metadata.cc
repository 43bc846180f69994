// Metadata (key 3), v0-v12: brokers, cluster id, controller, and topics with
// their partitions' leaders and replicas.
//
// Unknown topics named in the request are created when the request allows it
// (v4+ allow_auto_topic_creation, always before v4) and auto.create.topics.enable
// is on; as in Kafka, the response that triggers creation says
// LEADER_NOT_AVAILABLE (retriable), and the client's next refresh finds the
// leader. A null topic list (v1+; an empty one in v0) means every topic.

#include "conveyor/api/metadata.h"

#include "conveyor/metadata/topic_name.h"

namespace conveyor::api {

namespace {

using protocol::ErrorCode;
using protocol::MetadataResponse;
using protocol::to_wire;

// Every ACL operation (READ..ALTER_CONFIGS) is allowed: there is no authorizer.
constexpr std::int32_t kAllTopicOperations = (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) |
                                             (1 << 10) | (1 << 11);
constexpr std::int32_t kAllClusterOperations = (1 << 4) | (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) |
                                               (1 << 11) | (1 << 12);

MetadataResponse::MetadataResponseTopic describe_topic(const RequestContext& ctx, const metadata::TopicInfo& topic,
                                                       bool include_operations) {
  MetadataResponse::MetadataResponseTopic out;
  out.error_code = to_wire(ErrorCode::none);
  out.name = topic.name;
  out.topic_id = topic.id;
  out.is_internal = topic.is_internal();
  for (const auto& p : topic.partitions) {
    MetadataResponse::MetadataResponsePartition partition;
    partition.error_code = to_wire(ErrorCode::none);
    partition.partition_index = p.id;
    partition.leader_id = p.leader;
    partition.leader_epoch = p.leader_epoch;
    partition.replica_nodes = p.replicas;
    partition.isr_nodes = p.isr;
    out.partitions.push_back(std::move(partition));
  }
  if (ctx.version() >= 8) out.topic_authorized_operations = include_operations ? kAllTopicOperations : INT32_MIN;
  return out;
}

MetadataResponse::MetadataResponseTopic topic_error(ErrorCode error, std::optional<std::string> name,
                                                    const protocol::Uuid& id = {}) {
  MetadataResponse::MetadataResponseTopic out;
  out.error_code = to_wire(error);
  out.name = std::move(name);
  out.topic_id = id;
  return out;
}

}  // namespace

boost::asio::awaitable<MetadataResponse> handle_metadata(RequestContext& ctx, protocol::MetadataRequest& request) {
  auto image = ctx.broker.image_ptr();
  MetadataResponse response;
  for (const auto& b : image->brokers()) {
    MetadataResponse::MetadataResponseBroker broker;
    broker.node_id = b.node_id;
    broker.host = b.host;
    broker.port = b.port;
    broker.rack = b.rack;
    response.brokers.push_back(std::move(broker));
  }
  response.cluster_id = image->cluster_id();
  response.controller_id = image->controller_id();
  const bool include_operations = ctx.version() >= 8 && request.include_topic_authorized_operations;
  if (ctx.version() >= 8 && ctx.version() <= 10) {
    response.cluster_authorized_operations =
        request.include_cluster_authorized_operations ? kAllClusterOperations : INT32_MIN;
  }

  const bool all_topics = !request.topics.has_value() || (ctx.version() == 0 && request.topics->empty());
  if (all_topics) {
    for (const auto& [name, topic] : image->topics()) {
      response.topics.push_back(describe_topic(ctx, *topic, include_operations));
    }
    co_return response;
  }

  // v4+ asks explicitly; older clients always got auto-creation.
  const bool may_create = ctx.broker.config().auto_create_topics_enable &&
                          (ctx.version() < 4 || request.allow_auto_topic_creation);
  std::vector<metadata::NewTopic> to_create;
  std::vector<std::size_t> created_positions;
  for (const auto& requested : *request.topics) {
    if (!requested.name.has_value()) {  // by id, v10+
      auto topic = image->topic(requested.topic_id);
      response.topics.push_back(topic ? describe_topic(ctx, *topic, include_operations)
                                      : topic_error(ErrorCode::unknown_topic_id, std::nullopt, requested.topic_id));
      continue;
    }
    const std::string& name = *requested.name;
    if (auto topic = image->topic(name)) {
      response.topics.push_back(describe_topic(ctx, *topic, include_operations));
      continue;
    }
    if (metadata::validate_topic_name(name)) {
      response.topics.push_back(topic_error(ErrorCode::invalid_topic_exception, name));
      continue;
    }
    if (!may_create || name.starts_with("__")) {
      response.topics.push_back(topic_error(ErrorCode::unknown_topic_or_partition, name));
      continue;
    }
    metadata::NewTopic topic;
    topic.name = name;
    to_create.push_back(std::move(topic));
    created_positions.push_back(response.topics.size());
    response.topics.push_back(topic_error(ErrorCode::leader_not_available, name));
  }
  if (!to_create.empty()) {
    auto results = co_await ctx.broker.create_topics(std::move(to_create), false);
    for (std::size_t i = 0; i < results.size(); ++i) {
      const auto error = results[i].error;
      // Created now, or by a concurrent request: retriable either way.
      if (error != ErrorCode::none && error != ErrorCode::topic_already_exists) {
        response.topics[created_positions[i]].error_code = to_wire(error);
      }
    }
  }
  co_return response;
}

}  // namespace conveyor::api
