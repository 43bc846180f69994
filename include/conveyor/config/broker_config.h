#pragma once
// BrokerConfig: the broker's typed configuration, built once at start from
// the embedded defaults, an optional YAML file and `--set key=value`
// overrides, all with Apache Kafka's key names. Each part receives the
// fields it needs (a struct per part is built from this in main.cc); nothing
// below main.cc reads configuration globally.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "conveyor/base/result.h"
#include "conveyor/config/config_key.h"

namespace conveyor::config {

struct Listener {
  std::string name;  // security protocol / listener name, e.g. PLAINTEXT
  std::string host;  // empty or 0.0.0.0 binds every interface
  std::uint16_t port = 0;
};

// Parses Kafka's listener syntax: "PLAINTEXT://host:port[,NAME://host:port]".
Result<std::vector<Listener>, std::string> parse_listeners(std::string_view text);

struct BrokerConfig {
  // Identity and network
  std::int32_t node_id = 1;
  std::vector<Listener> listeners;
  std::vector<Listener> advertised_listeners;
  std::int32_t num_network_threads = 0;  // reactor shards; 0 = one per core
  std::int64_t socket_request_max_bytes = 104857600;
  std::int64_t queued_max_request_bytes = 268435456;
  std::int32_t socket_send_buffer_bytes = 102400;
  std::int32_t socket_receive_buffer_bytes = 102400;
  std::int64_t connections_max_idle_ms = 600000;
  std::int32_t max_connections = INT32_MAX;
  std::int32_t max_connections_per_ip = INT32_MAX;

  // Storage
  std::vector<std::string> log_dirs;
  // acks=all waits for the group-commit fsync (Conveyor-specific, see docs/durability.md).
  bool acks_all_fsync = true;
  std::int64_t log_retention_check_interval_ms = 300000;
  std::int64_t log_flush_offset_checkpoint_interval_ms = 60000;
  bool log_cleaner_enable = true;
  std::int64_t log_cleaner_backoff_ms = 15000;
  std::int32_t log_cleaner_threads = 1;
  std::int64_t log_cleaner_dedupe_buffer_size = 134217728;
  std::int32_t log_segments_open_max = 4;
  // Topic defaults (the broker-level synonyms of topic configs), by key.
  ConfigValues values;

  // Topics
  std::int32_t num_partitions = 1;
  std::int16_t default_replication_factor = 1;
  bool auto_create_topics_enable = true;
  bool delete_topic_enable = true;

  // Consumer groups
  std::int32_t group_initial_rebalance_delay_ms = 3000;
  std::int32_t group_min_session_timeout_ms = 6000;
  std::int32_t group_max_session_timeout_ms = 1800000;
  std::int32_t group_max_size = INT32_MAX;
  std::int32_t offsets_topic_num_partitions = 50;
  std::int32_t offsets_retention_minutes = 10080;
  std::int64_t offsets_retention_check_interval_ms = 600000;
  std::int32_t offset_metadata_max_bytes = 4096;

  // Idempotent producers
  std::int64_t producer_id_expiration_ms = 86400000;
  std::int64_t producer_id_expiration_check_interval_ms = 600000;

  // Transactions
  std::int32_t transaction_state_log_num_partitions = 50;
  std::int32_t transaction_state_log_segment_bytes = 104857600;
  std::int32_t transaction_max_timeout_ms = 900000;
  std::int64_t transactional_id_expiration_ms = 604800000;
  std::int64_t transaction_abort_timed_out_transaction_cleanup_interval_ms = 10000;
  std::int64_t transaction_remove_expired_transaction_cleanup_interval_ms = 3600000;

  std::string log_level = "info";
  std::int64_t shutdown_timeout_ms = 30000;
};

// Every broker key with its Kafka default, type and documentation.
std::span<const ConfigKey> broker_config_keys();
const ConfigKey* find_broker_key(std::string_view name);

// Where a value came from, for DescribeConfigs and the start-up log line.
struct ConfigSources {
  std::optional<std::string> file;  // the YAML path, if any
  std::vector<std::string> overridden_keys;
};

// Builds the configuration: defaults, then the YAML file (if `yaml_path`),
// then `overrides` ("key=value"). Unknown keys and invalid values give an
// error message naming the key and what it allows.
Result<BrokerConfig, std::string> load_broker_config(const std::optional<std::string>& yaml_path,
                                                     const std::vector<std::string>& overrides,
                                                     ConfigSources* sources = nullptr);

// Same, from already flattened key/value text (the YAML loader's output).
Result<BrokerConfig, std::string> build_broker_config(const ConfigValues& explicit_values);

}  // namespace conveyor::config
