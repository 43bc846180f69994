// ListOffsets (key 2), v1-v10 (v0's multi-offset form went with Kafka 4.0, KIP-896).
//
// Per partition, by the special timestamps Kafka defines:
//   -1 LATEST         the high watermark (the last stable offset for
//                     read_committed, the same here until transactions);
//   -2 EARLIEST       the log start offset;
//   -3 MAX_TIMESTAMP  (v7+) the record with the largest timestamp;
//   -4 EARLIEST_LOCAL (v8+) the log start offset (no tiered storage);
//   -5 LATEST_TIERED  (v9+) -1: nothing is tiered;
//   T >= 0            the first offset whose timestamp is >= T, through the
//                     time index; offset -1 when there is none.

#include "conveyor/api/list_offsets.h"

#include "conveyor/api/on_owning_shards.h"
#include "conveyor/api/partition_route.h"
#include "conveyor/log/partition_log.h"

namespace conveyor::api {

namespace {

namespace asio = boost::asio;
using protocol::ErrorCode;
using protocol::ListOffsetsResponse;

constexpr std::int64_t kLatest = -1;
constexpr std::int64_t kEarliest = -2;
constexpr std::int64_t kMaxTimestamp = -3;
constexpr std::int64_t kEarliestLocal = -4;
constexpr std::int64_t kLatestTiered = -5;

struct Lookup {
  std::size_t topic_index = 0;
  std::size_t partition_index = 0;
  broker::PartitionKey key;
  std::int64_t timestamp = 0;
  std::int32_t leader_epoch = -1;
};

struct Found {
  ErrorCode error = ErrorCode::none;
  std::int64_t offset = -1;
  std::int64_t timestamp = -1;
};

// read_committed (isolation_level 1, v2+) sees the log up to the last
// stable offset, as its fetches do: LATEST is the LSO and nothing at or
// after it is found by timestamp (Kafka's lastFetchableOffset).
Found lookup(log::PartitionLog& log, std::int64_t timestamp, bool read_committed) {
  const std::int64_t visible_end = read_committed ? log.last_stable_offset() : log.high_watermark();
  switch (timestamp) {
    case kLatest: return {ErrorCode::none, visible_end, -1};
    case kEarliest:
    case kEarliestLocal: return {ErrorCode::none, log.log_start_offset(), -1};
    case kLatestTiered: return {ErrorCode::none, -1, -1};
    case kMaxTimestamp: {
      auto max = log.max_timestamp();
      return max && max->offset < visible_end ? Found{ErrorCode::none, max->offset, max->timestamp} : Found{};
    }
    default: break;
  }
  if (timestamp < 0) return {ErrorCode::invalid_request, -1, -1};
  auto found = log.offset_for_timestamp(timestamp);
  return found && found->offset < visible_end ? Found{ErrorCode::none, found->offset, found->timestamp} : Found{};
}

std::vector<Found> lookup_on_shard(broker::Broker& broker, const std::vector<Lookup>& lookups,
                                   bool read_committed) {
  auto& partitions = *broker.local().partitions;
  std::vector<Found> found(lookups.size());
  for (std::size_t i = 0; i < lookups.size(); ++i) {
    broker::Partition* partition = partitions.find(lookups[i].key);
    if (partition == nullptr) {
      found[i].error = ErrorCode::not_leader_or_follower;
      continue;
    }
    found[i] = lookup(partition->log(), lookups[i].timestamp, read_committed);
  }
  return found;
}

}  // namespace

asio::awaitable<ListOffsetsResponse> handle_list_offsets(RequestContext& ctx, protocol::ListOffsetsRequest& request) {
  auto& broker = ctx.broker;
  const auto image = broker.image_ptr();
  ListOffsetsResponse response;
  std::vector<std::vector<Lookup>> by_shard(broker.shards().size());
  for (std::size_t t = 0; t < request.topics.size(); ++t) {
    const auto& topic_request = request.topics[t];
    const auto topic = image->topic(topic_request.name);
    ListOffsetsResponse::ListOffsetsTopicResponse topic_response;
    topic_response.name = topic_request.name;
    for (std::size_t p = 0; p < topic_request.partitions.size(); ++p) {
      const auto& partition_request = topic_request.partitions[p];
      ListOffsetsResponse::ListOffsetsPartitionResponse out;
      out.partition_index = partition_request.partition_index;
      auto route = route_partition(broker, topic.get(), partition_request.partition_index);
      if (route.error == ErrorCode::none) {
        route.error = check_leader_epoch(partition_request.current_leader_epoch, route.leader_epoch);
      }
      out.error_code = protocol::to_wire(route.error);
      if (route.error == ErrorCode::none) {
        by_shard[route.shard].push_back(Lookup{t, p, route.key, partition_request.timestamp, route.leader_epoch});
      }
      topic_response.partitions.push_back(std::move(out));
    }
    response.topics.push_back(std::move(topic_response));
  }

  const bool read_committed = ctx.version() >= 2 && request.isolation_level == 1;
  auto find = [read_committed](broker::Broker& b,
                               const std::vector<Lookup>& lookups) -> asio::awaitable<std::vector<Found>> {
    co_return lookup_on_shard(b, lookups, read_committed);
  };
  auto results = co_await on_owning_shards<Found>(broker, by_shard, find);
  for (runtime::ShardId shard = 0; shard < by_shard.size(); ++shard) {
    for (std::size_t i = 0; i < by_shard[shard].size(); ++i) {
      const Lookup& sent = by_shard[shard][i];
      const Found& found = results[shard][i];
      auto& out = response.topics[sent.topic_index].partitions[sent.partition_index];
      out.error_code = protocol::to_wire(found.error);
      out.offset = found.offset;
      out.timestamp = found.timestamp;
      if (ctx.version() >= 4) out.leader_epoch = sent.leader_epoch;
    }
  }
  co_return response;
}

}  // namespace conveyor::api
