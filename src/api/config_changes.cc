#include "conveyor/api/config_changes.h"

namespace conveyor::api {

using protocol::ErrorCode;

boost::asio::awaitable<ConfigChangeOutcome> change_resource_configs(RequestContext& ctx, std::int8_t resource_type,
                                                                    const std::string& resource_name,
                                                                    std::vector<metadata::ConfigChange> changes,
                                                                    bool incremental, bool validate_only) {
  constexpr std::int8_t kTopic = 2;
  constexpr std::int8_t kBroker = 4;
  if (resource_type == kTopic) {
    auto result = co_await ctx.broker.alter_topic_configs(resource_name, std::move(changes), incremental,
                                                          validate_only);
    co_return ConfigChangeOutcome{result.error, result.message};
  }
  if (resource_type == kBroker) {
    co_return ConfigChangeOutcome{ErrorCode::invalid_config,
                                  "Broker configuration is static in Conveyor: set it in the YAML file or with "
                                  "--set and restart."};
  }
  co_return ConfigChangeOutcome{ErrorCode::invalid_request,
                                "Unsupported resource type " + std::to_string(resource_type) + "."};
}

}  // namespace conveyor::api
