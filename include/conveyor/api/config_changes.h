#pragma once
// The part AlterConfigs and IncrementalAlterConfigs share: applying a list of
// changes to one resource. Topic changes go to the controller; broker
// configuration is static (YAML and --set), so changing it is refused.

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "conveyor/api/request_context.h"
#include "conveyor/metadata/controller.h"

namespace conveyor::api {

struct ConfigChangeOutcome {
  protocol::ErrorCode error = protocol::ErrorCode::none;
  std::string message;
};

boost::asio::awaitable<ConfigChangeOutcome> change_resource_configs(RequestContext& ctx, std::int8_t resource_type,
                                                                    const std::string& resource_name,
                                                                    std::vector<metadata::ConfigChange> changes,
                                                                    bool incremental, bool validate_only);

}  // namespace conveyor::api
