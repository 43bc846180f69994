#pragma once
// ConfigKey: one configuration key with Kafka's name, type, default, allowed
// values and documentation. Broker and topic keys are both tables of these, so
// validation, `--help`, DescribeConfigs and the documented YAML all read the
// same facts.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conveyor/base/result.h"

namespace conveyor::config {

enum class ConfigType : std::uint8_t { boolean, int32, int64, float64, string, list, enumeration };

struct ConfigKey {
  std::string_view name;
  ConfigType type;
  std::string_view default_value;  // as text; "" with `nullable` means no default
  std::string_view doc;
  std::int64_t min = INT64_MIN;  // numeric bounds (inclusive)
  std::int64_t max = INT64_MAX;
  std::vector<std::string_view> allowed = {};  // enumeration values, or list items
  bool nullable = false;
  bool sensitive = false;
};

// Checks `value` against `key` and returns it normalised (booleans lower
// case, numbers without spaces), or a message naming the key and the values
// it allows.
Result<std::string, std::string> validate_value(const ConfigKey& key, std::string_view value);

std::string_view type_name(ConfigType type);

// Typed readers for already validated values.
bool as_bool(std::string_view value);
std::int64_t as_int(std::string_view value);
double as_double(std::string_view value);
std::vector<std::string> as_list(std::string_view value);

// Flat key → value text, after validation.
using ConfigValues = std::map<std::string, std::string, std::less<>>;

}  // namespace conveyor::config
