#pragma once
// What OffsetCommit and TxnOffsetCommit share: the checks made on the
// connection's shard for each partition, and the hop to the group's
// coordinator with the items that passed them.

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <vector>

#include "conveyor/api/request_context.h"
#include "conveyor/group/group_coordinator.h"
#include "conveyor/metadata/image.h"

namespace conveyor::api {

// UNKNOWN_TOPIC_OR_PARTITION for a partition the topic does not have (or no
// topic), OFFSET_METADATA_TOO_LARGE above offset.metadata.max.bytes, else none.
protocol::ErrorCode check_commit_partition(RequestContext& ctx, const metadata::TopicInfo* topic,
                                           std::int32_t partition, std::size_t metadata_size);

// One error per item of `commit`: the coordinator's answers, INVALID_GROUP_ID
// for an empty group id, COORDINATOR_NOT_AVAILABLE while __consumer_offsets
// does not exist.
boost::asio::awaitable<std::vector<protocol::ErrorCode>> commit_on_coordinator(RequestContext& ctx,
                                                                               group::CommitRequest commit);

}  // namespace conveyor::api
