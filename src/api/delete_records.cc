// DeleteRecords (key 21), v0-v2: moves each partition's log start offset up
// to the given offset (-1: the high watermark). Whole segments below it are
// deleted; reads below it give OFFSET_OUT_OF_RANGE from then on. An offset
// above the high watermark is OFFSET_OUT_OF_RANGE and changes nothing.

#include "conveyor/api/delete_records.h"

#include "conveyor/api/log_errors.h"
#include "conveyor/api/on_owning_shards.h"
#include "conveyor/api/partition_route.h"
#include "conveyor/log/partition_log.h"

namespace conveyor::api {

namespace {

namespace asio = boost::asio;
using protocol::DeleteRecordsResponse;
using protocol::ErrorCode;

struct Deletion {
  std::size_t topic_index = 0;
  std::size_t partition_index = 0;
  broker::PartitionKey key;
  std::int64_t offset = 0;
};

struct Deleted {
  ErrorCode error = ErrorCode::none;
  std::int64_t low_watermark = -1;
};

std::vector<Deleted> delete_on_shard(broker::Broker& broker, const std::vector<Deletion>& deletions) {
  auto& partitions = *broker.local().partitions;
  std::vector<Deleted> results(deletions.size());
  for (std::size_t i = 0; i < deletions.size(); ++i) {
    broker::Partition* partition = partitions.find(deletions[i].key);
    if (partition == nullptr) {
      results[i].error = ErrorCode::not_leader_or_follower;
      continue;
    }
    auto& log = partition->log();
    const std::int64_t offset = deletions[i].offset == -1 ? log.high_watermark() : deletions[i].offset;
    if (offset < 0 || offset > log.high_watermark()) {
      results[i].error = ErrorCode::offset_out_of_range;
      continue;
    }
    auto moved = log.delete_records_before(offset);
    if (!moved) {
      results[i].error = to_error_code(moved.error());
      continue;
    }
    results[i].low_watermark = moved.value();
  }
  return results;
}

}  // namespace

asio::awaitable<DeleteRecordsResponse> handle_delete_records(RequestContext& ctx,
                                                             protocol::DeleteRecordsRequest& request) {
  auto& broker = ctx.broker;
  const auto image = broker.image_ptr();
  DeleteRecordsResponse response;
  std::vector<std::vector<Deletion>> by_shard(broker.shards().size());
  for (std::size_t t = 0; t < request.topics.size(); ++t) {
    const auto& topic_request = request.topics[t];
    const auto topic = image->topic(topic_request.name);
    DeleteRecordsResponse::DeleteRecordsTopicResult topic_result;
    topic_result.name = topic_request.name;
    for (std::size_t p = 0; p < topic_request.partitions.size(); ++p) {
      const auto& partition_request = topic_request.partitions[p];
      DeleteRecordsResponse::DeleteRecordsPartitionResult out;
      out.partition_index = partition_request.partition_index;
      out.low_watermark = -1;
      const auto route = route_partition(broker, topic.get(), partition_request.partition_index);
      out.error_code = protocol::to_wire(route.error);
      if (route.error == ErrorCode::none) {
        by_shard[route.shard].push_back(Deletion{t, p, route.key, partition_request.offset});
      }
      topic_result.partitions.push_back(out);
    }
    response.topics.push_back(std::move(topic_result));
  }

  auto remove = [](broker::Broker& b, const std::vector<Deletion>& deletions) -> asio::awaitable<std::vector<Deleted>> {
    co_return delete_on_shard(b, deletions);
  };
  auto results = co_await on_owning_shards<Deleted>(broker, by_shard, remove);
  for (runtime::ShardId shard = 0; shard < by_shard.size(); ++shard) {
    for (std::size_t i = 0; i < by_shard[shard].size(); ++i) {
      const Deletion& sent = by_shard[shard][i];
      auto& out = response.topics[sent.topic_index].partitions[sent.partition_index];
      out.error_code = protocol::to_wire(results[shard][i].error);
      out.low_watermark = results[shard][i].low_watermark;
    }
  }
  co_return response;
}

}  // namespace conveyor::api
