// Fetch (key 1), v4-v16 (v0-v3 need magic 0/1 down-conversion; Kafka 4.0
// dropped them too, KIP-896).
//
// 1. Validate: session fields, topics (by name, or by id from v13),
//    partitions led here, the client's leader epoch.
// 2. Read: partitions grouped by owning shard, all shards at once. Each read
//    returns whole batches as a range of a segment file, which the connection
//    sends with sendfile — fetched bytes are never copied into user space.
// 3. Long poll: fewer than min_bytes and time left in max_wait_ms → wait until
//    an append to any of the partitions (FetchWakeup, registered during the
//    read) or the deadline, then read again.
// 4. Respond, trimmed to max_bytes in request order. As in KIP-74 the first
//    non-empty partition may exceed the limits by one batch, so a batch larger
//    than the limits can never stall a consumer.
//
// Fetch sessions (KIP-227): the broker may decline to create a session, and
// does — every response has session_id 0, so clients send full fetch
// requests. Incremental fetches with an id we never gave are refused with
// FETCH_SESSION_ID_NOT_FOUND.

#include "conveyor/api/fetch.h"

#include <chrono>

#include "conveyor/api/log_errors.h"
#include "conveyor/api/on_owning_shards.h"
#include "conveyor/api/partition_route.h"
#include "conveyor/log/partition_log.h"

namespace conveyor::api {

namespace {

namespace asio = boost::asio;
using protocol::ErrorCode;
using protocol::FetchResponse;

struct PartitionRead {
  std::size_t topic_index = 0;
  std::size_t partition_index = 0;
  broker::PartitionKey key;
  std::int64_t fetch_offset = 0;
  std::uint32_t max_bytes = 0;
};

struct ReadOutcome {
  ErrorCode error = ErrorCode::none;
  log::ReadResult result;
};

// Runs on the shard that owns every partition in `reads`.
std::vector<ReadOutcome> read_on_shard(broker::Broker& broker, const std::vector<PartitionRead>& reads,
                                       const std::shared_ptr<broker::FetchWakeup>& wakeup) {
  auto& partitions = *broker.local().partitions;
  std::vector<ReadOutcome> outcomes(reads.size());
  for (std::size_t i = 0; i < reads.size(); ++i) {
    broker::Partition* partition = partitions.find(reads[i].key);
    if (partition == nullptr) {
      outcomes[i].error = ErrorCode::not_leader_or_follower;
      continue;
    }
    auto& log = partition->log();
    auto read = log.read(reads[i].fetch_offset, reads[i].max_bytes, true, log.high_watermark());
    if (!read) {
      outcomes[i].error = to_error_code(read.error());
      outcomes[i].result.high_watermark = log.high_watermark();
      outcomes[i].result.log_start_offset = log.log_start_offset();
      outcomes[i].result.last_stable_offset = log.high_watermark();
      continue;
    }
    outcomes[i].result = std::move(read.value());
    if (wakeup) partition->waiters().add(wakeup);
  }
  return outcomes;
}

struct Validated {
  ErrorCode top_level = ErrorCode::none;
  std::vector<std::vector<PartitionRead>> by_shard;
};

// Builds the response skeleton (every partition, errors filled in) and the
// reads to make.
Validated validate(RequestContext& ctx, const protocol::FetchRequest& request, FetchResponse& response) {
  auto& broker = ctx.broker;
  const auto image = broker.image_ptr();
  Validated v;
  v.by_shard.resize(broker.shards().size());
  if (request.session_id != 0) {
    v.top_level = ErrorCode::fetch_session_id_not_found;
    return v;
  }
  if (request.session_epoch != -1 && request.session_epoch != 0) {
    v.top_level = ErrorCode::invalid_fetch_session_epoch;
    return v;
  }
  const bool by_id = ctx.version() >= 13;
  for (std::size_t t = 0; t < request.topics.size(); ++t) {
    const auto& topic_request = request.topics[t];
    const auto topic = by_id ? image->topic(topic_request.topic_id) : image->topic(topic_request.topic);
    FetchResponse::FetchableTopicResponse topic_response;
    topic_response.topic = topic_request.topic;
    topic_response.topic_id = topic_request.topic_id;
    for (std::size_t p = 0; p < topic_request.partitions.size(); ++p) {
      const auto& partition_request = topic_request.partitions[p];
      FetchResponse::PartitionData out;
      out.partition_index = partition_request.partition;
      out.high_watermark = -1;
      out.records = protocol::Records::empty();
      auto route = route_partition(broker, topic.get(), partition_request.partition);
      if (by_id && !topic) route.error = ErrorCode::unknown_topic_id;
      if (route.error == ErrorCode::none) {
        route.error = check_leader_epoch(partition_request.current_leader_epoch, route.leader_epoch);
      }
      if (route.error == ErrorCode::none && partition_request.partition_max_bytes <= 0) {
        route.error = ErrorCode::invalid_request;
      }
      out.error_code = protocol::to_wire(route.error);
      if (route.error == ErrorCode::none) {
        v.by_shard[route.shard].push_back(PartitionRead{t, p, route.key, partition_request.fetch_offset,
                                                        static_cast<std::uint32_t>(partition_request.partition_max_bytes)});
      }
      topic_response.partitions.push_back(std::move(out));
    }
    response.responses.push_back(std::move(topic_response));
  }
  return v;
}

// One read pass over every shard; fills the response and returns the bytes it carries.
asio::awaitable<std::size_t> read_all(RequestContext& ctx, const protocol::FetchRequest& request,
                                      const std::vector<std::vector<PartitionRead>>& by_shard,
                                      const std::shared_ptr<broker::FetchWakeup>& wakeup, FetchResponse& response,
                                      bool& any_error) {
  auto read = [wakeup](broker::Broker& b, const std::vector<PartitionRead>& reads)
      -> asio::awaitable<std::vector<ReadOutcome>> { co_return read_on_shard(b, reads, wakeup); };
  auto outcomes = co_await on_owning_shards<ReadOutcome>(ctx.broker, by_shard, read);

  // Place outcomes, then trim to the limits in request order.
  for (runtime::ShardId shard = 0; shard < by_shard.size(); ++shard) {
    for (std::size_t i = 0; i < by_shard[shard].size(); ++i) {
      const PartitionRead& sent = by_shard[shard][i];
      ReadOutcome& outcome = outcomes[shard][i];
      auto& out = response.responses[sent.topic_index].partitions[sent.partition_index];
      out.error_code = protocol::to_wire(outcome.error);
      if (outcome.error != ErrorCode::none) any_error = true;
      out.high_watermark = outcome.result.high_watermark;
      out.last_stable_offset = outcome.result.last_stable_offset;
      out.log_start_offset = outcome.result.log_start_offset;
      out.records = outcome.error == ErrorCode::none && !outcome.result.records.is_null()
                        ? std::move(outcome.result.records)
                        : protocol::Records::empty();
    }
  }
  const std::size_t limit = request.max_bytes > 0 ? static_cast<std::size_t>(request.max_bytes) : 0;
  std::size_t total = 0;
  bool first_non_empty = true;
  for (std::size_t t = 0; t < response.responses.size(); ++t) {
    for (std::size_t p = 0; p < response.responses[t].partitions.size(); ++p) {
      auto& out = response.responses[t].partitions[p];
      const std::size_t size = out.records.size();
      if (size == 0) continue;
      const auto partition_limit =
          static_cast<std::size_t>(std::max(request.topics[t].partitions[p].partition_max_bytes, 0));
      const bool fits = total + size <= limit && size <= partition_limit;
      if (!first_non_empty && !fits) {
        out.records = protocol::Records::empty();
        continue;
      }
      first_non_empty = false;
      total += size;
    }
  }
  co_return total;
}

}  // namespace

asio::awaitable<FetchResponse> handle_fetch(RequestContext& ctx, protocol::FetchRequest& request) {
  FetchResponse response;
  response.session_id = 0;
  auto validated = validate(ctx, request, response);
  if (validated.top_level != ErrorCode::none) {
    response.error_code = protocol::to_wire(validated.top_level);
    response.responses.clear();
    co_return response;
  }

  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max(request.max_wait_ms, 0));
  const auto min_bytes = static_cast<std::size_t>(std::max(request.min_bytes, 0));
  const auto executor = co_await asio::this_coro::executor;
  for (;;) {
    const bool may_wait = std::chrono::steady_clock::now() < deadline;
    std::shared_ptr<broker::FetchWakeup> wakeup;
    if (may_wait) wakeup = std::make_shared<broker::FetchWakeup>(executor, deadline);
    bool any_error = false;
    const std::size_t bytes = co_await read_all(ctx, request, validated.by_shard, wakeup, response, any_error);
    if (bytes >= min_bytes || any_error || !may_wait) break;
    co_await wakeup->wait();
  }
  co_return response;
}

}  // namespace conveyor::api
