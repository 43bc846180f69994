#pragma once
// Writing transaction markers: the transaction coordinator ends a
// transaction by appending a COMMIT or ABORT control batch to every
// partition the transaction wrote to (including the group's
// __consumer_offsets partition for TxnOffsetCommit). Each partition's marker
// is appended on the shard that owns it, then made durable (group-commit
// fsync) before this returns, so a completed transaction survives a crash.

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "conveyor/broker/broker.h"
#include "conveyor/log/partition_log.h"
#include "conveyor/protocol/error_code.h"

namespace conveyor::broker {

struct MarkerTarget {
  std::string topic;
  std::int32_t partition = 0;
};

// One error per target, in order: none; unknown_topic_or_partition (no such
// topic or partition in the image); not_leader_or_follower (its log is not
// open here); invalid_producer_epoch (the partition saw a newer epoch);
// kafka_storage_error. Callable from any shard.
boost::asio::awaitable<std::vector<protocol::ErrorCode>> write_txn_markers(Broker& broker,
                                                                           std::vector<MarkerTarget> targets,
                                                                           log::TxnMarker marker);

}  // namespace conveyor::broker
