#include "conveyor/config/config_key.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>

namespace conveyor::config {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string join(const std::vector<std::string_view>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

std::string bad(const ConfigKey& key, std::string_view value, std::string_view expected) {
  return "invalid value '" + std::string(value) + "' for " + std::string(key.name) +
         ": expected " + std::string(expected);
}

}  // namespace

std::string_view type_name(ConfigType type) {
  switch (type) {
    case ConfigType::boolean: return "BOOLEAN";
    case ConfigType::int32: return "INT";
    case ConfigType::int64: return "LONG";
    case ConfigType::float64: return "DOUBLE";
    case ConfigType::string: return "STRING";
    case ConfigType::list: return "LIST";
    case ConfigType::enumeration: return "STRING";
  }
  return "STRING";
}

Result<std::string, std::string> validate_value(const ConfigKey& key, std::string_view raw) {
  const std::string_view value = trim(raw);
  if (value.empty() && key.nullable) return std::string();
  switch (key.type) {
    case ConfigType::boolean: {
      std::string lower(value);
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      if (lower == "true" || lower == "false") return lower;
      return Unexpected{bad(key, value, "true or false")};
    }
    case ConfigType::int32:
    case ConfigType::int64: {
      std::int64_t n = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || ptr != value.data() + value.size()) {
        return Unexpected{bad(key, value, "an integer")};
      }
      const std::int64_t lo = key.type == ConfigType::int32 ? std::max<std::int64_t>(key.min, INT32_MIN) : key.min;
      const std::int64_t hi = key.type == ConfigType::int32 ? std::min<std::int64_t>(key.max, INT32_MAX) : key.max;
      if (n < lo || n > hi) {
        return Unexpected{bad(key, value, "an integer in [" + std::to_string(lo) + ", " +
                                              std::to_string(hi) + "]")};
      }
      return std::to_string(n);
    }
    case ConfigType::float64: {
      std::string text(value);
      char* end = nullptr;
      const double d = std::strtod(text.c_str(), &end);
      if (text.empty() || end != text.c_str() + text.size()) {
        return Unexpected{bad(key, value, "a number")};
      }
      if (d < static_cast<double>(key.min) || d > static_cast<double>(key.max)) {
        return Unexpected{bad(key, value, "a number in [" + std::to_string(key.min) + ", " +
                                              std::to_string(key.max) + "]")};
      }
      return text;
    }
    case ConfigType::string:
      if (value.empty() && !key.nullable && !key.default_value.empty()) {
        return Unexpected{bad(key, value, "a non-empty string")};
      }
      return std::string(value);
    case ConfigType::enumeration: {
      for (const auto& allowed : key.allowed) {
        if (allowed == value) return std::string(value);
      }
      return Unexpected{bad(key, value, "one of " + join(key.allowed))};
    }
    case ConfigType::list: {
      std::string normalised;
      for (const auto& item : as_list(value)) {
        if (!key.allowed.empty() &&
            std::find(key.allowed.begin(), key.allowed.end(), item) == key.allowed.end()) {
          return Unexpected{bad(key, item, "items from " + join(key.allowed))};
        }
        if (!normalised.empty()) normalised += ',';
        normalised += item;
      }
      if (normalised.empty() && !key.nullable && !key.default_value.empty()) {
        return Unexpected{bad(key, value, "a non-empty list")};
      }
      return normalised;
    }
  }
  return Unexpected{std::string("unknown type")};
}

bool as_bool(std::string_view value) { return value == "true"; }

std::int64_t as_int(std::string_view value) {
  std::int64_t n = 0;
  std::from_chars(value.data(), value.data() + value.size(), n);
  return n;
}

double as_double(std::string_view value) { return std::strtod(std::string(value).c_str(), nullptr); }

std::vector<std::string> as_list(std::string_view value) {
  std::vector<std::string> out;
  while (!value.empty()) {
    const auto comma = value.find(',');
    auto item = trim(value.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace conveyor::config
