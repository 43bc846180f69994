// DescribeConfigs (key 32), v0-v4: topic configs (effective value, source,
// synonyms) and broker configs. Resource types: 2 topic, 4 broker.

#include "conveyor/api/describe_configs.h"

#include "conveyor/api/config_description.h"

namespace conveyor::api {

namespace {

using protocol::DescribeConfigsResponse;
using protocol::ErrorCode;

constexpr std::int8_t kTopic = 2;
constexpr std::int8_t kBroker = 4;

DescribeConfigsResponse::DescribeConfigsResourceResult to_wire_config(const RequestContext& ctx,
                                                                     const DescribedConfig& d,
                                                                     bool include_synonyms,
                                                                     bool include_documentation) {
  DescribeConfigsResponse::DescribeConfigsResourceResult c;
  c.name = d.resolved.name;
  c.value = d.key && d.key->sensitive ? std::nullopt : std::optional<std::string>(d.resolved.value);
  c.read_only = false;
  c.is_sensitive = d.key && d.key->sensitive;
  if (ctx.version() == 0) {
    c.is_default = d.resolved.source == config::ConfigSource::default_config;
  } else {
    c.config_source = static_cast<std::int8_t>(d.resolved.source);
  }
  if (ctx.version() >= 1 && include_synonyms) {
    for (const auto& s : d.resolved.synonyms) {
      DescribeConfigsResponse::DescribeConfigsSynonym synonym;
      synonym.name = s.name;
      synonym.value = s.value;
      synonym.source = static_cast<std::int8_t>(s.source);
      c.synonyms.push_back(std::move(synonym));
    }
  }
  if (ctx.version() >= 3 && d.key) {
    c.config_type = wire_config_type(d.key->type);
    if (include_documentation) c.documentation = std::string(d.key->doc);
  }
  return c;
}

}  // namespace

boost::asio::awaitable<DescribeConfigsResponse> handle_describe_configs(RequestContext& ctx,
                                                                        protocol::DescribeConfigsRequest& request) {
  DescribeConfigsResponse response;
  auto image = ctx.broker.image_ptr();
  const auto& broker_config = ctx.broker.config();
  for (const auto& resource : request.resources) {
    DescribeConfigsResponse::DescribeConfigsResult result;
    result.resource_type = resource.resource_type;
    result.resource_name = resource.resource_name;
    std::vector<DescribedConfig> described;
    if (resource.resource_type == kTopic) {
      auto topic = image->topic(resource.resource_name);
      if (!topic) {
        result.error_code = protocol::to_wire(ErrorCode::unknown_topic_or_partition);
        result.error_message = "Topic '" + resource.resource_name + "' does not exist.";
        response.results.push_back(std::move(result));
        continue;
      }
      described = describe_topic(broker_config, topic->configs, resource.configuration_keys);
    } else if (resource.resource_type == kBroker) {
      if (!resource.resource_name.empty() && resource.resource_name != std::to_string(ctx.broker.node_id())) {
        result.error_code = protocol::to_wire(ErrorCode::invalid_request);
        result.error_message = "Broker " + resource.resource_name + " is not this broker (" +
                               std::to_string(ctx.broker.node_id()) + ").";
        response.results.push_back(std::move(result));
        continue;
      }
      described = describe_broker(broker_config, resource.configuration_keys);
    } else {
      result.error_code = protocol::to_wire(ErrorCode::invalid_request);
      result.error_message = "Unsupported resource type " + std::to_string(resource.resource_type) + ".";
      response.results.push_back(std::move(result));
      continue;
    }
    result.error_code = protocol::to_wire(ErrorCode::none);
    for (const auto& d : described) {
      result.configs.push_back(to_wire_config(ctx, d, request.include_synonyms, request.include_documentation));
    }
    response.results.push_back(std::move(result));
  }
  co_return response;
}

}  // namespace conveyor::api
