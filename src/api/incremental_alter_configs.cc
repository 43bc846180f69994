// IncrementalAlterConfigs (key 44), v0-v1: SET (0), DELETE (1), APPEND (2)
// and SUBTRACT (3) per key; keys not named keep their values.

#include "conveyor/api/incremental_alter_configs.h"

#include "conveyor/api/config_changes.h"

namespace conveyor::api {

boost::asio::awaitable<protocol::IncrementalAlterConfigsResponse> handle_incremental_alter_configs(
    RequestContext& ctx, protocol::IncrementalAlterConfigsRequest& request) {
  protocol::IncrementalAlterConfigsResponse response;
  for (const auto& resource : request.resources) {
    protocol::IncrementalAlterConfigsResponse::AlterConfigsResourceResponse result;
    result.resource_type = resource.resource_type;
    result.resource_name = resource.resource_name;
    std::vector<metadata::ConfigChange> changes;
    bool valid = true;
    for (const auto& c : resource.configs) {
      if (c.config_operation < 0 || c.config_operation > 3) {
        valid = false;
        break;
      }
      changes.push_back({c.name, c.value, static_cast<metadata::ConfigOp>(c.config_operation)});
    }
    if (!valid) {
      result.error_code = protocol::to_wire(protocol::ErrorCode::invalid_request);
      result.error_message = "Unknown config operation.";
      response.responses.push_back(std::move(result));
      continue;
    }
    auto outcome = co_await change_resource_configs(ctx, resource.resource_type, resource.resource_name,
                                                    std::move(changes), /*incremental=*/true,
                                                    request.validate_only);
    result.error_code = protocol::to_wire(outcome.error);
    if (outcome.error != protocol::ErrorCode::none) result.error_message = outcome.message;
    response.responses.push_back(std::move(result));
  }
  co_return response;
}

}  // namespace conveyor::api
