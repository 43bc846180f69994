#pragma once
// Topic-level configuration: Kafka's topic keys (retention.ms, segment.bytes,
// cleanup.policy, ...), each backed by a broker-level synonym (log.retention.ms,
// log.segment.bytes, log.cleanup.policy, ...) that supplies its default. A
// topic's effective value is its own override if set, else the broker's value,
// else Kafka's default — and DescribeConfigs reports which one applied.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "conveyor/base/result.h"
#include "conveyor/config/broker_config.h"
#include "conveyor/config/config_key.h"

namespace conveyor::config {

// DescribeConfigs' ConfigSource values.
enum class ConfigSource : std::int8_t {
  unknown = 0,
  topic = 1,  // DYNAMIC_TOPIC_CONFIG
  dynamic_broker = 2,
  dynamic_default_broker = 3,
  static_broker = 4,  // set in the YAML file or with --set
  default_config = 5,
};

struct TopicConfigKey {
  ConfigKey key;
  std::string_view broker_synonym;
};

std::span<const TopicConfigKey> topic_config_keys();
const TopicConfigKey* find_topic_key(std::string_view name);

struct ConfigSynonym {
  std::string name;
  std::string value;
  ConfigSource source;
};

struct ResolvedConfig {
  std::string name;
  std::string value;
  ConfigSource source;
  std::vector<ConfigSynonym> synonyms;  // most specific first, as Kafka lists them
};

// The effective value of one topic key.
ResolvedConfig resolve_topic_config(const TopicConfigKey& key, const BrokerConfig& broker,
                                    const ConfigValues& topic_overrides);
// Every topic key's effective value.
std::vector<ResolvedConfig> resolve_topic_configs(const BrokerConfig& broker,
                                                  const ConfigValues& topic_overrides);
// The effective value of `name` as text (the caller knows `name` exists).
std::string topic_config_value(std::string_view name, const BrokerConfig& broker,
                               const ConfigValues& topic_overrides);

// Validates a topic's overrides: unknown keys and invalid values give a
// message naming the key (mapped to INVALID_CONFIG by the API layer).
Result<ConfigValues, std::string> validate_topic_configs(const ConfigValues& overrides);

// Resolved broker-level values for DescribeConfigs on the broker resource.
std::vector<ResolvedConfig> resolve_broker_configs(const BrokerConfig& broker);

}  // namespace conveyor::config
