#pragma once
// Which shard owns a partition: a stable hash of (topic id, partition), the
// same on every call, so every shard agrees without asking.

#include <cstdint>
#include <functional>

#include "conveyor/protocol/uuid.h"
#include "conveyor/runtime/shard_set.h"

namespace conveyor::broker {

inline runtime::ShardId shard_for(const protocol::Uuid& topic_id, std::int32_t partition, unsigned shard_count) {
  const std::size_t h =
      std::hash<protocol::Uuid>{}(topic_id) ^ (static_cast<std::size_t>(partition) * 0x9E3779B97F4A7C15ULL);
  return static_cast<runtime::ShardId>((h >> 17) % shard_count);
}

}  // namespace conveyor::broker
