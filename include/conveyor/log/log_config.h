#pragma once
// LogConfig: the settings one partition's log obeys, with Kafka's topic
// config names in the comments. Built from the topic's effective config by
// the broker (config::topic_config_value), so the log part does not read
// configuration itself.

#include <cstdint>

#include "conveyor/protocol/record_batch_header.h"

namespace conveyor::log {

struct LogConfig {
  std::int64_t segment_bytes = 1073741824;          // segment.bytes
  std::int64_t segment_ms = 604800000;              // segment.ms
  std::int32_t index_interval_bytes = 4096;         // index.interval.bytes
  std::int32_t segment_index_bytes = 10485760;      // segment.index.bytes
  std::int32_t max_message_bytes = 1048588;         // max.message.bytes
  std::int64_t retention_ms = 604800000;            // retention.ms (-1: forever)
  std::int64_t retention_bytes = -1;                // retention.bytes (-1: no limit)
  bool cleanup_delete = true;                       // cleanup.policy contains delete
  bool cleanup_compact = false;                     // cleanup.policy contains compact
  std::int64_t delete_retention_ms = 86400000;      // delete.retention.ms
  std::int64_t min_compaction_lag_ms = 0;           // min.compaction.lag.ms
  double min_cleanable_dirty_ratio = 0.5;           // min.cleanable.dirty.ratio
  std::int64_t flush_messages = INT64_MAX;          // flush.messages
  std::int64_t flush_ms = INT64_MAX;                // flush.ms
  protocol::TimestampType timestamp_type = protocol::TimestampType::create_time;  // message.timestamp.type
  std::int64_t timestamp_difference_max_ms = INT64_MAX;  // message.timestamp.difference.max.ms
  bool preallocate = false;                         // preallocate
  std::int64_t file_delete_delay_ms = 60000;        // file.delete.delay.ms
  std::int32_t segments_open_max = 4;               // log.segments.open.max (Conveyor; broker-wide)
};

}  // namespace conveyor::log
