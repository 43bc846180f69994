#include "conveyor/api/config_description.h"

#include <algorithm>

namespace conveyor::api {

std::int8_t wire_config_type(config::ConfigType type) {
  switch (type) {
    case config::ConfigType::boolean: return 1;
    case config::ConfigType::string: return 2;
    case config::ConfigType::enumeration: return 2;
    case config::ConfigType::int32: return 3;
    case config::ConfigType::int64: return 5;
    case config::ConfigType::float64: return 6;
    case config::ConfigType::list: return 7;
  }
  return 0;
}

namespace {

bool wanted(const std::optional<std::vector<std::string>>& names, std::string_view name) {
  return !names || std::find(names->begin(), names->end(), name) != names->end();
}

}  // namespace

std::vector<DescribedConfig> describe_topic(const config::BrokerConfig& broker, const config::ConfigValues& overrides,
                                            const std::optional<std::vector<std::string>>& names) {
  std::vector<DescribedConfig> out;
  for (const auto& key : config::topic_config_keys()) {
    if (!wanted(names, key.key.name)) continue;
    out.push_back({config::resolve_topic_config(key, broker, overrides), &key.key});
  }
  return out;
}

std::vector<DescribedConfig> describe_broker(const config::BrokerConfig& broker,
                                             const std::optional<std::vector<std::string>>& names) {
  std::vector<DescribedConfig> out;
  auto resolved = config::resolve_broker_configs(broker);
  for (auto& r : resolved) {
    if (!wanted(names, r.name)) continue;
    const config::ConfigKey* key = config::find_broker_key(r.name);
    out.push_back({std::move(r), key});
  }
  return out;
}

}  // namespace conveyor::api
