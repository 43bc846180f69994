#include "conveyor/config/broker_config.h"

#include <charconv>

#include "conveyor/config/yaml_source.h"

namespace conveyor::config {

Result<std::vector<Listener>, std::string> parse_listeners(std::string_view text) {
  std::vector<Listener> out;
  for (const auto& item : as_list(text)) {
    const auto scheme_end = item.find("://");
    if (scheme_end == std::string::npos || scheme_end == 0) {
      return Unexpected{"invalid listener '" + item + "': expected NAME://host:port"};
    }
    Listener listener;
    listener.name = item.substr(0, scheme_end);
    std::string_view rest(item);
    rest.remove_prefix(scheme_end + 3);
    const auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) {
      return Unexpected{"invalid listener '" + item + "': missing :port"};
    }
    std::string_view host = rest.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);  // [::1]
    }
    listener.host = std::string(host);
    const std::string_view port = rest.substr(colon + 1);
    int value = -1;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || ptr != port.data() + port.size() || value < 0 || value > 65535) {
      return Unexpected{"invalid listener '" + item + "': port must be 0-65535"};
    }
    listener.port = static_cast<std::uint16_t>(value);
    if (listener.name != "PLAINTEXT") {
      return Unexpected{"listener '" + item + "': only PLAINTEXT is supported so far"};
    }
    out.push_back(std::move(listener));
  }
  if (out.empty()) return Unexpected{std::string("listeners: at least one listener is required")};
  return out;
}

namespace {

std::string value_of(const ConfigValues& values, std::string_view key) {
  auto it = values.find(key);
  if (it != values.end()) return it->second;
  return std::string(find_broker_key(key)->default_value);
}

}  // namespace

Result<BrokerConfig, std::string> build_broker_config(const ConfigValues& explicit_values) {
  ConfigValues values;
  for (const auto& [name, raw] : explicit_values) {
    const ConfigKey* key = find_broker_key(name);
    if (key == nullptr) {
      return Unexpected{"unknown configuration key '" + name +
                        "' (see config/conveyor.yaml or `conveyor --help` for the keys)"};
    }
    auto valid = validate_value(*key, raw);
    if (!valid) return Unexpected{valid.error()};
    values[name] = std::move(valid.value());
  }

  BrokerConfig config;
  auto get = [&](std::string_view key) { return value_of(values, key); };
  auto get_int = [&](std::string_view key) { return as_int(get(key)); };

  config.node_id = static_cast<std::int32_t>(get_int("node.id"));
  if (values.contains("broker.id") && !values["broker.id"].empty()) {
    config.node_id = static_cast<std::int32_t>(as_int(values["broker.id"]));
  }
  auto listeners = parse_listeners(get("listeners"));
  if (!listeners) return Unexpected{listeners.error()};
  config.listeners = listeners.value();
  const std::string advertised = get("advertised.listeners");
  if (advertised.empty()) {
    config.advertised_listeners = config.listeners;
  } else {
    auto parsed = parse_listeners(advertised);
    if (!parsed) return Unexpected{"advertised.listeners: " + parsed.error()};
    config.advertised_listeners = parsed.value();
  }
  config.num_network_threads = static_cast<std::int32_t>(get_int("num.network.threads"));
  config.socket_request_max_bytes = get_int("socket.request.max.bytes");
  config.queued_max_request_bytes = get_int("queued.max.request.bytes");
  config.socket_send_buffer_bytes = static_cast<std::int32_t>(get_int("socket.send.buffer.bytes"));
  config.socket_receive_buffer_bytes = static_cast<std::int32_t>(get_int("socket.receive.buffer.bytes"));
  config.connections_max_idle_ms = get_int("connections.max.idle.ms");
  config.max_connections = static_cast<std::int32_t>(get_int("max.connections"));
  config.max_connections_per_ip = static_cast<std::int32_t>(get_int("max.connections.per.ip"));

  if (values.contains("log.dirs") || get("log.dir").empty()) {
    config.log_dirs = as_list(get("log.dirs"));
  } else {
    config.log_dirs = {get("log.dir")};
  }
  if (config.log_dirs.empty()) return Unexpected{std::string("log.dirs: at least one directory is required")};

  config.acks_all_fsync = as_bool(get("acks.all.fsync"));
  config.log_retention_check_interval_ms = get_int("log.retention.check.interval.ms");
  config.log_flush_offset_checkpoint_interval_ms = get_int("log.flush.offset.checkpoint.interval.ms");
  config.log_cleaner_enable = as_bool(get("log.cleaner.enable"));
  config.log_cleaner_backoff_ms = get_int("log.cleaner.backoff.ms");
  config.log_cleaner_threads = static_cast<std::int32_t>(get_int("log.cleaner.threads"));
  config.log_cleaner_dedupe_buffer_size = get_int("log.cleaner.dedupe.buffer.size");
  config.log_segments_open_max = static_cast<std::int32_t>(get_int("log.segments.open.max"));
  config.num_partitions = static_cast<std::int32_t>(get_int("num.partitions"));
  config.default_replication_factor = static_cast<std::int16_t>(get_int("default.replication.factor"));
  config.auto_create_topics_enable = as_bool(get("auto.create.topics.enable"));
  config.delete_topic_enable = as_bool(get("delete.topic.enable"));
  config.group_initial_rebalance_delay_ms = static_cast<std::int32_t>(get_int("group.initial.rebalance.delay.ms"));
  config.group_min_session_timeout_ms = static_cast<std::int32_t>(get_int("group.min.session.timeout.ms"));
  config.group_max_session_timeout_ms = static_cast<std::int32_t>(get_int("group.max.session.timeout.ms"));
  config.group_max_size = static_cast<std::int32_t>(get_int("group.max.size"));
  config.offsets_topic_num_partitions = static_cast<std::int32_t>(get_int("offsets.topic.num.partitions"));
  config.offsets_retention_minutes = static_cast<std::int32_t>(get_int("offsets.retention.minutes"));
  config.offsets_retention_check_interval_ms = get_int("offsets.retention.check.interval.ms");
  config.offset_metadata_max_bytes = static_cast<std::int32_t>(get_int("offset.metadata.max.bytes"));
  config.producer_id_expiration_ms = get_int("producer.id.expiration.ms");
  config.producer_id_expiration_check_interval_ms = get_int("producer.id.expiration.check.interval.ms");
  config.transaction_state_log_num_partitions =
      static_cast<std::int32_t>(get_int("transaction.state.log.num.partitions"));
  config.transaction_state_log_segment_bytes = static_cast<std::int32_t>(get_int("transaction.state.log.segment.bytes"));
  config.transaction_max_timeout_ms = static_cast<std::int32_t>(get_int("transaction.max.timeout.ms"));
  config.transactional_id_expiration_ms = get_int("transactional.id.expiration.ms");
  config.transaction_abort_timed_out_transaction_cleanup_interval_ms =
      get_int("transaction.abort.timed.out.transaction.cleanup.interval.ms");
  config.transaction_remove_expired_transaction_cleanup_interval_ms =
      get_int("transaction.remove.expired.transaction.cleanup.interval.ms");
  config.log_level = get("log.level");
  config.shutdown_timeout_ms = get_int("controlled.shutdown.timeout.ms");
  config.values = std::move(values);
  return config;
}

Result<BrokerConfig, std::string> load_broker_config(const std::optional<std::string>& yaml_path,
                                                     const std::vector<std::string>& overrides,
                                                     ConfigSources* sources) {
  ConfigValues values;
  if (yaml_path) {
    auto loaded = read_yaml_file(*yaml_path);
    if (!loaded) return Unexpected{loaded.error()};
    values = std::move(loaded.value());
  }
  for (const auto& item : overrides) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Unexpected{"--set expects key=value, got '" + item + "'"};
    }
    values[item.substr(0, eq)] = item.substr(eq + 1);
    if (sources) sources->overridden_keys.push_back(item.substr(0, eq));
  }
  if (sources) sources->file = yaml_path;
  return build_broker_config(values);
}

}  // namespace conveyor::config
