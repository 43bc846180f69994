#pragma once
// How configs are described to clients: DescribeConfigs and CreateTopics v5+
// both report each topic config's effective value and where it came from.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "conveyor/config/topic_config.h"

namespace conveyor::api {

// DescribeConfigs v3+ ConfigType values.
std::int8_t wire_config_type(config::ConfigType type);

struct DescribedConfig {
  config::ResolvedConfig resolved;
  const config::ConfigKey* key = nullptr;
};

// Every topic config (or only `names`, when given) with effective values.
std::vector<DescribedConfig> describe_topic(const config::BrokerConfig& broker, const config::ConfigValues& overrides,
                                            const std::optional<std::vector<std::string>>& names);
// Every broker config (or only `names`).
std::vector<DescribedConfig> describe_broker(const config::BrokerConfig& broker,
                                             const std::optional<std::vector<std::string>>& names);

}  // namespace conveyor::api
