#pragma once
// The log settings of one topic: its overrides over the broker's defaults,
// turned into the typed LogConfig the log engine takes.

#include "conveyor/config/broker_config.h"
#include "conveyor/log/log_config.h"

namespace conveyor::broker {

log::LogConfig log_config_for(const config::BrokerConfig& broker, const config::ConfigValues& topic_overrides);

// min.insync.replicas of a topic.
std::int32_t min_insync_replicas(const config::BrokerConfig& broker, const config::ConfigValues& topic_overrides);

}  // namespace conveyor::broker
