// CreateTopics (key 19), v0-v7. Validation and commit happen in the
// controller (metadata/controller.cc); this file maps the request to NewTopic
// values and the results back. v5+ responses describe the created topic's
// partitions, replication factor and effective configs.

#include "conveyor/api/create_topics.h"

#include <algorithm>

#include "conveyor/api/config_description.h"

namespace conveyor::api {

namespace {

using protocol::CreateTopicsRequest;
using protocol::CreateTopicsResponse;
using protocol::ErrorCode;

// Manual assignments must name partitions 0..n-1, each once.
std::optional<std::vector<std::vector<std::int32_t>>> ordered_assignments(
    const std::vector<CreateTopicsRequest::CreatableReplicaAssignment>& assignments) {
  std::vector<std::vector<std::int32_t>> ordered(assignments.size());
  std::vector<bool> seen(assignments.size(), false);
  for (const auto& a : assignments) {
    if (a.partition_index < 0 || static_cast<std::size_t>(a.partition_index) >= assignments.size() ||
        seen[static_cast<std::size_t>(a.partition_index)]) {
      return std::nullopt;
    }
    seen[static_cast<std::size_t>(a.partition_index)] = true;
    ordered[static_cast<std::size_t>(a.partition_index)] = a.broker_ids;
  }
  return ordered;
}

}  // namespace

boost::asio::awaitable<CreateTopicsResponse> handle_create_topics(RequestContext& ctx,
                                                                  CreateTopicsRequest& request) {
  CreateTopicsResponse response;
  std::vector<metadata::NewTopic> topics;
  std::vector<std::size_t> positions;  // response index of each NewTopic
  for (const auto& t : request.topics) {
    CreateTopicsResponse::CreatableTopicResult result;
    result.name = t.name;
    auto assignments = ordered_assignments(t.assignments);
    if (!assignments) {
      result.error_code = protocol::to_wire(ErrorCode::invalid_replica_assignment);
      result.error_message = "Replica assignments must cover partitions 0.." +
                             std::to_string(t.assignments.size() - 1) + " exactly once.";
      response.topics.push_back(std::move(result));
      continue;
    }
    metadata::NewTopic topic;
    topic.name = t.name;
    topic.num_partitions = t.num_partitions;
    topic.replication_factor = t.replication_factor;
    topic.assignments = std::move(*assignments);
    bool null_config = false;
    for (const auto& c : t.configs) {
      if (!c.value) {
        null_config = true;
        break;
      }
      topic.configs[c.name] = *c.value;
    }
    if (null_config) {
      result.error_code = protocol::to_wire(ErrorCode::invalid_config);
      result.error_message = "Null value not supported for topic configs.";
      response.topics.push_back(std::move(result));
      continue;
    }
    positions.push_back(response.topics.size());
    response.topics.push_back(std::move(result));
    topics.push_back(std::move(topic));
  }

  auto results = co_await ctx.broker.create_topics(topics, request.validate_only);
  auto image = ctx.broker.image_ptr();
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    auto& out = response.topics[positions[i]];
    out.error_code = protocol::to_wire(r.error);
    if (r.error != ErrorCode::none) {
      if (ctx.version() >= 1) out.error_message = r.message;
      continue;
    }
    if (ctx.version() < 5) continue;
    out.topic_id = r.topic_id;
    out.num_partitions = r.partitions;
    out.replication_factor = r.replication_factor;
    std::vector<CreateTopicsResponse::CreatableTopicConfigs> configs;
    for (const auto& d : describe_topic(ctx.broker.config(), topics[i].configs, std::nullopt)) {
      CreateTopicsResponse::CreatableTopicConfigs c;
      c.name = d.resolved.name;
      c.value = d.resolved.value;
      c.read_only = false;
      c.config_source = static_cast<std::int8_t>(d.resolved.source);
      c.is_sensitive = d.key->sensitive;
      configs.push_back(std::move(c));
    }
    out.configs = std::move(configs);
  }
  co_return response;
}

}  // namespace conveyor::api
