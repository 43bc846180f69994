#pragma once
// Reads a YAML configuration file into flat Kafka-style keys. Both spellings
// work and may be mixed:
//   log.dirs: /var/lib/conveyor        # flat, as in server.properties
//   log:                               # nested maps are joined with dots
//     retention.hours: 24
// Sequences become comma-separated lists (log.dirs: [/a, /b]).

#include <string>

#include "conveyor/base/result.h"
#include "conveyor/config/config_key.h"

namespace conveyor::config {

Result<ConfigValues, std::string> read_yaml_file(const std::string& path);
Result<ConfigValues, std::string> read_yaml_text(const std::string& text);

}  // namespace conveyor::config
