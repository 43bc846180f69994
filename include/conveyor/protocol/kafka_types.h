#pragma once
// Strong types for the integers that Kafka gives distinct meanings. The
// generated codec keeps the wire's plain integers (they mirror the schemas);
// the log, replication and coordinators use these types so that an offset can
// never be passed where an epoch or a node id is expected.

#include <cstdint>

#include "conveyor/base/strong_type.h"

namespace conveyor {

using Offset = StrongType<std::int64_t, struct OffsetTag>;
using LeaderEpoch = StrongType<std::int32_t, struct LeaderEpochTag>;
using ProducerId = StrongType<std::int64_t, struct ProducerIdTag>;
using ProducerEpoch = StrongType<std::int16_t, struct ProducerEpochTag>;
using NodeId = StrongType<std::int32_t, struct NodeIdTag>;
using PartitionId = StrongType<std::int32_t, struct PartitionIdTag>;
using GenerationId = StrongType<std::int32_t, struct GenerationIdTag>;
using TimestampMs = StrongType<std::int64_t, struct TimestampMsTag>;

inline constexpr Offset kNoOffset{-1};
inline constexpr LeaderEpoch kNoLeaderEpoch{-1};
inline constexpr ProducerId kNoProducerId{-1};
inline constexpr ProducerEpoch kNoProducerEpoch{-1};
inline constexpr NodeId kNoNode{-1};
inline constexpr TimestampMs kNoTimestamp{-1};

// Offset arithmetic the log needs: the next offset, and distances.
constexpr Offset operator+(Offset offset, std::int64_t delta) { return Offset{offset.value() + delta}; }
constexpr std::int64_t operator-(Offset a, Offset b) { return a.value() - b.value(); }

}  // namespace conveyor
