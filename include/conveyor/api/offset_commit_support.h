#pragma once
// What OffsetCommit and TxnOffsetCommit share: the checks made on the
// connection's shard for each partition, and the hop to the group's
// coordinator with the items that passed them.

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string>
#include <utility>
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

// Where each item of a CommitRequest sits in the response: (topic, partition) indexes.
using CommitPositions = std::vector<std::pair<std::size_t, std::size_t>>;

// Fills `response` with one entry per requested partition (its check's error)
// and `commit` with an item per partition that passed, whose offset, leader
// epoch and timestamp `set_value(partition_request, item.value)` fills in.
// Returns where the items' answers go (apply_commit_errors).
template <typename Response, typename TopicRequests, typename SetValue>
CommitPositions collect_commit_items(RequestContext& ctx, const TopicRequests& topics, Response& response,
                                     group::CommitRequest& commit, SetValue set_value) {
  const auto image = ctx.broker.image_ptr();
  CommitPositions positions;
  for (const auto& topic_request : topics) {
    typename decltype(response.topics)::value_type topic_response;
    topic_response.name = topic_request.name;
    const auto topic = image->topic(topic_request.name);
    for (const auto& p : topic_request.partitions) {
      typename decltype(topic_response.partitions)::value_type out;
      out.partition_index = p.partition_index;
      std::string metadata = p.committed_metadata.value_or("");
      const auto checked = check_commit_partition(ctx, topic.get(), p.partition_index, metadata.size());
      out.error_code = protocol::to_wire(checked);
      if (checked == protocol::ErrorCode::none) {
        group::CommitItem item;
        item.topic = topic_request.name;
        item.partition = p.partition_index;
        item.value.metadata = std::move(metadata);
        set_value(p, item.value);
        commit.items.push_back(std::move(item));
        positions.emplace_back(response.topics.size(), topic_response.partitions.size());
      }
      topic_response.partitions.push_back(std::move(out));
    }
    response.topics.push_back(std::move(topic_response));
  }
  return positions;
}

// Puts the coordinator's answer for each item where collect_commit_items placed it.
template <typename Response>
void apply_commit_errors(Response& response, const CommitPositions& positions,
                         const std::vector<protocol::ErrorCode>& errors) {
  for (std::size_t i = 0; i < positions.size() && i < errors.size(); ++i) {
    response.topics[positions[i].first].partitions[positions[i].second].error_code = protocol::to_wire(errors[i]);
  }
}

}  // namespace conveyor::api
