#pragma once
// Milliseconds since the Unix epoch: Kafka's timestamps (LogAppendTime,
// retention, commit times) are wall-clock milliseconds. Durations and
// deadlines use std::chrono::steady_clock instead.

#include <chrono>
#include <cstdint>

namespace conveyor {

inline std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace conveyor
