#include "conveyor/broker/log_config_for.h"

#include <charconv>
#include <cstdlib>
#include <string>

#include "conveyor/config/topic_config.h"

namespace conveyor::broker {

namespace {

// Values were validated when they were set, so a parse failure here means
// the default stays (and never happens in practice).
std::int64_t number(std::string_view name, const config::BrokerConfig& broker, const config::ConfigValues& overrides,
                    std::int64_t fallback) {
  const std::string text = config::topic_config_value(name, broker, overrides);
  std::int64_t value = fallback;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

}  // namespace

log::LogConfig log_config_for(const config::BrokerConfig& broker, const config::ConfigValues& overrides) {
  log::LogConfig c;
  c.segment_bytes = number("segment.bytes", broker, overrides, c.segment_bytes);
  c.segment_ms = number("segment.ms", broker, overrides, c.segment_ms);
  c.index_interval_bytes = static_cast<std::int32_t>(number("index.interval.bytes", broker, overrides, c.index_interval_bytes));
  c.segment_index_bytes = static_cast<std::int32_t>(number("segment.index.bytes", broker, overrides, c.segment_index_bytes));
  c.max_message_bytes = static_cast<std::int32_t>(number("max.message.bytes", broker, overrides, c.max_message_bytes));
  c.retention_ms = number("retention.ms", broker, overrides, c.retention_ms);
  c.retention_bytes = number("retention.bytes", broker, overrides, c.retention_bytes);
  const std::string policy = config::topic_config_value("cleanup.policy", broker, overrides);
  c.cleanup_delete = policy.find("delete") != std::string::npos;
  c.cleanup_compact = policy.find("compact") != std::string::npos;
  c.min_cleanable_dirty_ratio = std::strtod(config::topic_config_value("min.cleanable.dirty.ratio", broker, overrides).c_str(), nullptr);
  c.delete_retention_ms = number("delete.retention.ms", broker, overrides, c.delete_retention_ms);
  c.min_compaction_lag_ms = number("min.compaction.lag.ms", broker, overrides, c.min_compaction_lag_ms);
  c.flush_messages = number("flush.messages", broker, overrides, c.flush_messages);
  c.flush_ms = number("flush.ms", broker, overrides, c.flush_ms);
  c.timestamp_type = config::topic_config_value("message.timestamp.type", broker, overrides) == "LogAppendTime"
                         ? protocol::TimestampType::log_append_time
                         : protocol::TimestampType::create_time;
  c.preallocate = config::topic_config_value("preallocate", broker, overrides) == "true";
  c.file_delete_delay_ms = number("file.delete.delay.ms", broker, overrides, c.file_delete_delay_ms);
  c.segments_open_max = broker.log_segments_open_max;
  return c;
}

std::int32_t min_insync_replicas(const config::BrokerConfig& broker, const config::ConfigValues& overrides) {
  return static_cast<std::int32_t>(number("min.insync.replicas", broker, overrides, 1));
}

}  // namespace conveyor::broker
