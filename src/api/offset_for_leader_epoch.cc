// OffsetForLeaderEpoch (key 23), v2-v4: consumers ask it after a leader
// change to detect log truncation (KIP-320): "where did epoch E end?".
//
// A single-replica partition is never truncated and its leader epoch only
// changes when its leadership does, so the end of any epoch up to the
// current one is the log end offset: a consumer's position is never beyond
// it, and no false truncation is reported. (Replication brings the epoch
// history file, leader-epoch-checkpoint, and exact answers for old epochs.)

#include "conveyor/api/offset_for_leader_epoch.h"

#include "conveyor/api/on_owning_shards.h"
#include "conveyor/api/partition_route.h"
#include "conveyor/log/partition_log.h"

namespace conveyor::api {

namespace {

namespace asio = boost::asio;
using protocol::ErrorCode;
using protocol::OffsetForLeaderEpochResponse;

struct EpochQuery {
  std::size_t topic_index = 0;
  std::size_t partition_index = 0;
  broker::PartitionKey key;
};

struct EpochEnd {
  ErrorCode error = ErrorCode::none;
  std::int64_t end_offset = -1;
};

std::vector<EpochEnd> end_offsets_on_shard(broker::Broker& broker, const std::vector<EpochQuery>& queries) {
  auto& partitions = *broker.local().partitions;
  std::vector<EpochEnd> results(queries.size());
  for (std::size_t i = 0; i < queries.size(); ++i) {
    broker::Partition* partition = partitions.find(queries[i].key);
    if (partition == nullptr) {
      results[i].error = ErrorCode::not_leader_or_follower;
      continue;
    }
    results[i].end_offset = partition->log().log_end_offset();
  }
  return results;
}

}  // namespace

asio::awaitable<OffsetForLeaderEpochResponse> handle_offset_for_leader_epoch(
    RequestContext& ctx, protocol::OffsetForLeaderEpochRequest& request) {
  auto& broker = ctx.broker;
  const auto image = broker.image_ptr();
  OffsetForLeaderEpochResponse response;
  std::vector<std::vector<EpochQuery>> by_shard(broker.shards().size());
  for (std::size_t t = 0; t < request.topics.size(); ++t) {
    const auto& topic_request = request.topics[t];
    const auto topic = image->topic(topic_request.topic);
    OffsetForLeaderEpochResponse::OffsetForLeaderTopicResult topic_result;
    topic_result.topic = topic_request.topic;
    for (std::size_t p = 0; p < topic_request.partitions.size(); ++p) {
      const auto& partition_request = topic_request.partitions[p];
      OffsetForLeaderEpochResponse::EpochEndOffset out;
      out.partition = partition_request.partition;
      auto route = route_partition(broker, topic.get(), partition_request.partition);
      if (route.error == ErrorCode::none) {
        route.error = check_leader_epoch(partition_request.current_leader_epoch, route.leader_epoch);
      }
      out.error_code = protocol::to_wire(route.error);
      if (route.error == ErrorCode::none) {
        if (partition_request.leader_epoch > route.leader_epoch) {
          // An epoch this partition has not reached: Kafka's UNDEFINED answer.
          out.leader_epoch = -1;
          out.end_offset = -1;
        } else {
          out.leader_epoch = partition_request.leader_epoch;
          by_shard[route.shard].push_back(EpochQuery{t, p, route.key});
        }
      }
      topic_result.partitions.push_back(out);
    }
    response.topics.push_back(std::move(topic_result));
  }

  auto query = [](broker::Broker& b, const std::vector<EpochQuery>& queries) -> asio::awaitable<std::vector<EpochEnd>> {
    co_return end_offsets_on_shard(b, queries);
  };
  auto results = co_await on_owning_shards<EpochEnd>(broker, by_shard, query);
  for (runtime::ShardId shard = 0; shard < by_shard.size(); ++shard) {
    for (std::size_t i = 0; i < by_shard[shard].size(); ++i) {
      const EpochQuery& sent = by_shard[shard][i];
      auto& out = response.topics[sent.topic_index].partitions[sent.partition_index];
      out.error_code = protocol::to_wire(results[shard][i].error);
      out.end_offset = results[shard][i].end_offset;
    }
  }
  co_return response;
}

}  // namespace conveyor::api
