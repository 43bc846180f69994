#pragma once
// Where a request's partition lives: checks that the topic and partition
// exist and that this broker leads it, and names the owning shard. The
// first step of every partition-level handler (Produce, Fetch, ListOffsets,
// DeleteRecords, OffsetForLeaderEpoch).

#include <cstdint>

#include "conveyor/broker/broker.h"
#include "conveyor/broker/partition_table.h"
#include "conveyor/protocol/error_code.h"

namespace conveyor::api {

struct PartitionRoute {
  protocol::ErrorCode error = protocol::ErrorCode::none;
  broker::PartitionKey key;
  runtime::ShardId shard = 0;
  std::int32_t leader_epoch = -1;
};

PartitionRoute route_partition(broker::Broker& broker, const metadata::TopicInfo* topic, std::int32_t partition);

// Checks a client's current_leader_epoch (-1: not given) against ours:
// FENCED_LEADER_EPOCH when the client's is older, UNKNOWN_LEADER_EPOCH when newer.
protocol::ErrorCode check_leader_epoch(std::int32_t client_epoch, std::int32_t leader_epoch);

}  // namespace conveyor::api
