// AlterConfigs (key 33), v0-v2: replaces a resource's whole set of
// overrides (keys left out return to their defaults), as in Kafka.

#include "conveyor/api/alter_configs.h"

#include "conveyor/api/config_changes.h"

namespace conveyor::api {

boost::asio::awaitable<protocol::AlterConfigsResponse> handle_alter_configs(RequestContext& ctx,
                                                                            protocol::AlterConfigsRequest& request) {
  protocol::AlterConfigsResponse response;
  for (const auto& resource : request.resources) {
    std::vector<metadata::ConfigChange> changes;
    for (const auto& c : resource.configs) {
      changes.push_back({c.name, c.value, c.value ? metadata::ConfigOp::set : metadata::ConfigOp::remove});
    }
    auto outcome = co_await change_resource_configs(ctx, resource.resource_type, resource.resource_name,
                                                    std::move(changes), /*incremental=*/false,
                                                    request.validate_only);
    protocol::AlterConfigsResponse::AlterConfigsResourceResponse result;
    result.error_code = protocol::to_wire(outcome.error);
    if (outcome.error != protocol::ErrorCode::none) result.error_message = outcome.message;
    result.resource_type = resource.resource_type;
    result.resource_name = resource.resource_name;
    response.responses.push_back(std::move(result));
  }
  co_return response;
}

}  // namespace conveyor::api
