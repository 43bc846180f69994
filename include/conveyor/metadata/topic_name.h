#pragma once
// Kafka's topic name rules: 1-249 characters from [a-zA-Z0-9._-], not "." or
// "..". Names that differ only by '.' versus '_' collide (metric names would).

#include <optional>
#include <string>
#include <string_view>

namespace conveyor::metadata {

inline constexpr std::size_t kMaxTopicNameLength = 249;

// An error message, or nullopt when `name` is a legal topic name.
std::optional<std::string> validate_topic_name(std::string_view name);
// The form under which '.' and '_' collide.
std::string collision_key(std::string_view name);

}  // namespace conveyor::metadata
