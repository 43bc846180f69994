#include "conveyor/config/topic_config.h"

#include <algorithm>

namespace conveyor::config {

namespace {

using T = ConfigType;

const std::vector<TopicConfigKey>& keys() {
  static const std::vector<TopicConfigKey> table = {
      {{"cleanup.policy", T::list, "delete", "delete, compact, or both.", 0, 0, {"delete", "compact"}}, "log.cleanup.policy"},
      {{"compression.type", T::enumeration, "producer", "Only `producer`: batches are stored as the producer compressed them.", 0, 0, {"producer"}}, "compression.type"},
      {{"delete.retention.ms", T::int64, "86400000", "How long tombstones survive compaction.", 0}, "log.cleaner.delete.retention.ms"},
      {{"file.delete.delay.ms", T::int64, "60000", "Delay before a deleted segment's file is removed.", 0}, "log.segment.delete.delay.ms"},
      {{"flush.messages", T::int64, "9223372036854775807", "fsync after this many messages.", 1}, "log.flush.interval.messages"},
      {{"flush.ms", T::int64, "9223372036854775807", "fsync at most this long after a write.", 0}, "log.flush.interval.ms"},
      {{"index.interval.bytes", T::int32, "4096", "Bytes of log between offset index entries.", 0}, "log.index.interval.bytes"},
      {{"max.compaction.lag.ms", T::int64, "9223372036854775807", "Compact records older than this regardless of the dirty ratio.", 1}, "log.cleaner.max.compaction.lag.ms"},
      {{"max.message.bytes", T::int32, "1048588", "Largest record batch accepted.", 0}, "message.max.bytes"},
      {{"message.timestamp.type", T::enumeration, "CreateTime", "CreateTime or LogAppendTime.", 0, 0, {"CreateTime", "LogAppendTime"}}, "log.message.timestamp.type"},
      {{"min.cleanable.dirty.ratio", T::float64, "0.5", "Dirty ratio that triggers compaction.", 0, 1}, "log.cleaner.min.cleanable.ratio"},
      {{"min.compaction.lag.ms", T::int64, "0", "Records younger than this are not compacted.", 0}, "log.cleaner.min.compaction.lag.ms"},
      {{"min.insync.replicas", T::int32, "1", "acks=all needs this many in-sync replicas.", 1}, "min.insync.replicas"},
      {{"preallocate", T::boolean, "true", "Write zeros ahead of the active segment's data (see log.preallocate)."}, "log.preallocate"},
      {{"retention.bytes", T::int64, "-1", "Delete old segments beyond this size; -1 for no limit.", -1}, "log.retention.bytes"},
      {{"retention.ms", T::int64, "604800000", "Delete segments older than this; -1 keeps forever.", -1}, "log.retention.ms"},
      {{"segment.bytes", T::int32, "1073741824", "Segment file size.", 14}, "log.segment.bytes"},
      {{"segment.index.bytes", T::int32, "10485760", "Offset index file size.", 4}, "log.index.size.max.bytes"},
      {{"segment.ms", T::int64, "604800000", "Roll a new segment after this long.", 1}, "log.roll.ms"},
      {{"unclean.leader.election.enable", T::boolean, "false", "Allow out-of-sync replicas to become leader."}, "unclean.leader.election.enable"},
  };
  return table;
}

bool is_set(const BrokerConfig& broker, std::string_view key) {
  auto it = broker.values.find(key);
  return it != broker.values.end() && !it->second.empty();
}

// Broker-level value of a topic key's synonym (with Kafka's unit fallbacks:
// log.retention.ms > .minutes > .hours, log.roll.ms > log.roll.hours), as a
// synonym list, most specific first.
std::vector<ConfigSynonym> broker_synonyms(const TopicConfigKey& key, const BrokerConfig& broker) {
  std::vector<ConfigSynonym> out;
  auto add_if_set = [&](std::string_view name, std::string value) {
    out.push_back({std::string(name), std::move(value), ConfigSource::static_broker});
  };
  const std::string_view synonym = key.broker_synonym;
  if (synonym == "log.retention.ms") {
    if (is_set(broker, "log.retention.ms")) add_if_set("log.retention.ms", broker.values.at("log.retention.ms"));
    if (is_set(broker, "log.retention.minutes")) {
      const auto minutes = as_int(broker.values.at("log.retention.minutes"));
      add_if_set("log.retention.minutes", std::to_string(minutes < 0 ? -1 : minutes * 60000));
    }
    if (is_set(broker, "log.retention.hours")) {
      const auto hours = as_int(broker.values.at("log.retention.hours"));
      add_if_set("log.retention.hours", std::to_string(hours < 0 ? -1 : hours * 3600000));
    }
  } else if (synonym == "log.roll.ms") {
    if (is_set(broker, "log.roll.ms")) add_if_set("log.roll.ms", broker.values.at("log.roll.ms"));
    if (is_set(broker, "log.roll.hours")) {
      add_if_set("log.roll.hours", std::to_string(as_int(broker.values.at("log.roll.hours")) * 3600000));
    }
  } else if (is_set(broker, synonym)) {
    add_if_set(synonym, broker.values.at(std::string(synonym)));
  }
  return out;
}

}  // namespace

std::span<const TopicConfigKey> topic_config_keys() { return keys(); }

const TopicConfigKey* find_topic_key(std::string_view name) {
  const auto& table = keys();
  auto it = std::find_if(table.begin(), table.end(),
                         [&](const TopicConfigKey& k) { return k.key.name == name; });
  return it == table.end() ? nullptr : &*it;
}

ResolvedConfig resolve_topic_config(const TopicConfigKey& key, const BrokerConfig& broker,
                                    const ConfigValues& topic_overrides) {
  ResolvedConfig resolved;
  resolved.name = std::string(key.key.name);
  std::vector<ConfigSynonym> synonyms;
  auto own = topic_overrides.find(key.key.name);
  if (own != topic_overrides.end()) {
    synonyms.push_back({resolved.name, own->second, ConfigSource::topic});
  }
  for (auto& s : broker_synonyms(key, broker)) synonyms.push_back(std::move(s));
  synonyms.push_back({std::string(key.broker_synonym), std::string(key.key.default_value),
                      ConfigSource::default_config});
  resolved.value = synonyms.front().value;
  resolved.source = synonyms.front().source;
  resolved.synonyms = std::move(synonyms);
  return resolved;
}

std::vector<ResolvedConfig> resolve_topic_configs(const BrokerConfig& broker,
                                                  const ConfigValues& topic_overrides) {
  std::vector<ResolvedConfig> out;
  for (const auto& key : keys()) out.push_back(resolve_topic_config(key, broker, topic_overrides));
  return out;
}

std::string topic_config_value(std::string_view name, const BrokerConfig& broker,
                               const ConfigValues& topic_overrides) {
  return resolve_topic_config(*find_topic_key(name), broker, topic_overrides).value;
}

Result<ConfigValues, std::string> validate_topic_configs(const ConfigValues& overrides) {
  ConfigValues out;
  for (const auto& [name, value] : overrides) {
    const TopicConfigKey* key = find_topic_key(name);
    if (key == nullptr) return Unexpected{"unknown topic configuration '" + name + "'"};
    auto valid = validate_value(key->key, value);
    if (!valid) return Unexpected{valid.error()};
    out[name] = std::move(valid.value());
  }
  return out;
}

std::vector<ResolvedConfig> resolve_broker_configs(const BrokerConfig& broker) {
  std::vector<ResolvedConfig> out;
  for (const auto& key : broker_config_keys()) {
    ResolvedConfig resolved;
    resolved.name = std::string(key.name);
    auto it = broker.values.find(key.name);
    if (it != broker.values.end()) {
      resolved.value = it->second;
      resolved.source = ConfigSource::static_broker;
      resolved.synonyms.push_back({resolved.name, resolved.value, ConfigSource::static_broker});
    } else {
      resolved.value = std::string(key.default_value);
      resolved.source = ConfigSource::default_config;
    }
    resolved.synonyms.push_back({resolved.name, std::string(key.default_value), ConfigSource::default_config});
    out.push_back(std::move(resolved));
  }
  return out;
}

}  // namespace conveyor::config
