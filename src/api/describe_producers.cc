// DescribeProducers (key 61), v0: for operators (kafka-transactions.sh
// describe-producers, AdminClient.describeProducers) — the idempotent and
// transactional producers each partition knows (log/producer_state.h): id,
// epoch, last sequence and timestamp, coordinator epoch, and where an open
// transaction began (the one holding back the last stable offset).

#include "conveyor/api/describe_producers.h"

#include "conveyor/api/on_owning_shards.h"
#include "conveyor/api/partition_route.h"
#include "conveyor/log/partition_log.h"

namespace conveyor::api {

namespace {

namespace asio = boost::asio;
using protocol::DescribeProducersResponse;
using protocol::ErrorCode;
using ProducerState = DescribeProducersResponse::ProducerState;

struct Lookup {
  std::size_t topic_index = 0;
  std::size_t partition_index = 0;
  broker::PartitionKey key;
};

struct Found {
  ErrorCode error = ErrorCode::none;
  std::vector<ProducerState> producers;
};

std::vector<Found> describe_on_shard(broker::Broker& broker, const std::vector<Lookup>& lookups) {
  std::vector<Found> found(lookups.size());
  for (std::size_t i = 0; i < lookups.size(); ++i) {
    broker::Partition* partition = broker.local().partitions->find(lookups[i].key);
    if (partition == nullptr) {
      found[i].error = ErrorCode::not_leader_or_follower;
      continue;
    }
    for (const auto& [id, entry] : partition->log().producers().entries()) {
      ProducerState state;
      state.producer_id = id;
      state.producer_epoch = entry.epoch;
      state.last_sequence = entry.last_sequence();
      state.last_timestamp = entry.last_timestamp;
      state.coordinator_epoch = entry.coordinator_epoch;
      state.current_txn_start_offset = entry.current_txn_first_offset;
      found[i].producers.push_back(state);
    }
  }
  return found;
}

}  // namespace

asio::awaitable<DescribeProducersResponse> handle_describe_producers(RequestContext& ctx,
                                                                     protocol::DescribeProducersRequest& request) {
  auto& broker = ctx.broker;
  const auto image = broker.image_ptr();
  DescribeProducersResponse response;
  std::vector<std::vector<Lookup>> by_shard(broker.shards().size());
  for (std::size_t t = 0; t < request.topics.size(); ++t) {
    const auto& topic_request = request.topics[t];
    const auto topic = image->topic(topic_request.name);
    DescribeProducersResponse::TopicResponse topic_response;
    topic_response.name = topic_request.name;
    for (std::size_t p = 0; p < topic_request.partition_indexes.size(); ++p) {
      DescribeProducersResponse::PartitionResponse out;
      out.partition_index = topic_request.partition_indexes[p];
      const auto route = route_partition(broker, topic.get(), out.partition_index);
      out.error_code = protocol::to_wire(route.error);
      if (route.error == ErrorCode::none) by_shard[route.shard].push_back(Lookup{t, p, route.key});
      topic_response.partitions.push_back(std::move(out));
    }
    response.topics.push_back(std::move(topic_response));
  }
  auto describe = [](broker::Broker& b, const std::vector<Lookup>& lookups) -> asio::awaitable<std::vector<Found>> {
    co_return describe_on_shard(b, lookups);
  };
  auto results = co_await on_owning_shards<Found>(broker, by_shard, describe);
  for (runtime::ShardId shard = 0; shard < by_shard.size(); ++shard) {
    for (std::size_t i = 0; i < by_shard[shard].size(); ++i) {
      const Lookup& sent = by_shard[shard][i];
      auto& out = response.topics[sent.topic_index].partitions[sent.partition_index];
      out.error_code = protocol::to_wire(results[shard][i].error);
      out.active_producers = std::move(results[shard][i].producers);
    }
  }
  co_return response;
}

}  // namespace conveyor::api
