#include "conveyor/config/yaml_source.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

namespace conveyor::config {

namespace {

// Returns an error message, or empty on success.
std::string flatten(const YAML::Node& node, const std::string& prefix, ConfigValues& out) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      for (const auto& entry : node) {
        const std::string key = entry.first.as<std::string>();
        const std::string full = prefix.empty() ? key : prefix + "." + key;
        if (auto error = flatten(entry.second, full, out); !error.empty()) return error;
      }
      return {};
    case YAML::NodeType::Sequence: {
      std::string joined;
      for (const auto& item : node) {
        if (!item.IsScalar()) return "'" + prefix + "': list items must be plain values";
        if (!joined.empty()) joined += ',';
        joined += item.as<std::string>();
      }
      out[prefix] = joined;
      return {};
    }
    case YAML::NodeType::Scalar:
      out[prefix] = node.as<std::string>();
      return {};
    case YAML::NodeType::Null:
      out[prefix] = "";
      return {};
    case YAML::NodeType::Undefined:
      return {};
  }
  return {};
}

}  // namespace

Result<ConfigValues, std::string> read_yaml_text(const std::string& text) {
  ConfigValues out;
  try {
    const YAML::Node root = YAML::Load(text);
    if (root.IsNull()) return out;
    if (!root.IsMap()) return Unexpected{std::string("configuration must be a YAML map of keys")};
    if (auto error = flatten(root, "", out); !error.empty()) return Unexpected{error};
  } catch (const YAML::Exception& e) {
    return Unexpected{std::string("invalid YAML: ") + e.what()};
  }
  return out;
}

Result<ConfigValues, std::string> read_yaml_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Unexpected{"cannot read configuration file '" + path + "'"};
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto values = read_yaml_text(buffer.str());
  if (!values) return Unexpected{path + ": " + values.error()};
  return values;
}

}  // namespace conveyor::config
