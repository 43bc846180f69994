// OffsetFetch (key 9), v0-v9: a group's committed offsets, for the
// partitions asked or (topics null, v2+) all of them; -1 where nothing was
// committed. v8+ asks for several groups at once. `require_stable` (v7+,
// sent by read_committed consumers): a partition whose offset an open
// transaction has committed (TxnOffsetCommit, not yet ended) answers
// UNSTABLE_OFFSET_COMMIT, which the client retries, as Kafka does; without
// it the last committed offset is answered.

#include "conveyor/api/offset_fetch.h"

#include "conveyor/api/group_route.h"
#include "conveyor/runtime/run_on.h"

namespace conveyor::api {

namespace {

using protocol::ErrorCode;
using protocol::OffsetFetchResponse;

boost::asio::awaitable<group::FetchResult> fetch_group(RequestContext& ctx, std::string group_id,
                                                       std::optional<std::vector<group::TopicPartition>> partitions) {
  const auto shard = coordinator_shard(ctx, group_id);
  if (!shard) {
    group::FetchResult result;
    if (partitions) {
      for (auto& tp : *partitions) result.offsets.push_back({tp.first, tp.second, -1, -1, ""});
    }
    co_return result;
  }
  auto& service = groups(ctx);
  auto work = [&service, group_id = std::move(group_id), partitions = std::move(partitions)] {
    return service.local().fetch(group_id, partitions);
  };
  co_return co_await runtime::run_on(service.shards(), *shard, work);
}

// Groups flat results by topic, in first-seen order.
template <typename TopicOut>
std::vector<TopicOut> by_topic(const group::FetchResult& result, ErrorCode partition_error,
                               bool require_stable = false) {
  std::vector<TopicOut> topics;
  for (const auto& o : result.offsets) {
    auto it = std::find_if(topics.begin(), topics.end(), [&](const TopicOut& t) { return t.name == o.topic; });
    if (it == topics.end()) {
      topics.emplace_back();
      topics.back().name = o.topic;
      it = topics.end() - 1;
    }
    typename decltype(it->partitions)::value_type p;
    p.partition_index = o.partition;
    p.committed_offset = o.offset;
    p.committed_leader_epoch = o.leader_epoch;
    p.metadata = o.metadata;
    p.error_code = protocol::to_wire(partition_error);
    if (require_stable && o.unstable && partition_error == ErrorCode::none) {
      p.committed_offset = -1;
      p.error_code = protocol::to_wire(ErrorCode::unstable_offset_commit);
    }
    it->partitions.push_back(std::move(p));
  }
  return topics;
}

}  // namespace

boost::asio::awaitable<OffsetFetchResponse> handle_offset_fetch(RequestContext& ctx,
                                                               protocol::OffsetFetchRequest& request) {
  OffsetFetchResponse response;
  if (ctx.version() >= 8) {
    for (auto& g : request.groups) {
      std::optional<std::vector<group::TopicPartition>> partitions;
      if (g.topics) {
        partitions.emplace();
        for (const auto& t : *g.topics) {
          for (auto p : t.partition_indexes) partitions->emplace_back(t.name, p);
        }
      }
      auto result = co_await fetch_group(ctx, g.group_id, std::move(partitions));
      OffsetFetchResponse::OffsetFetchResponseGroup out;
      out.group_id = g.group_id;
      out.error_code = protocol::to_wire(result.error);
      if (result.error == ErrorCode::none) {
        out.topics =
            by_topic<OffsetFetchResponse::OffsetFetchResponseTopics>(result, ErrorCode::none, request.require_stable);
      }
      response.groups.push_back(std::move(out));
    }
    co_return response;
  }
  std::optional<std::vector<group::TopicPartition>> partitions;
  if (request.topics) {
    partitions.emplace();
    for (const auto& t : *request.topics) {
      for (auto p : t.partition_indexes) partitions->emplace_back(t.name, p);
    }
  }
  auto asked = partitions;
  auto result = co_await fetch_group(ctx, request.group_id, std::move(partitions));
  if (result.error != ErrorCode::none) {
    if (ctx.version() >= 2) {
      response.error_code = protocol::to_wire(result.error);
      co_return response;
    }
    // v0-1 have no top-level error: every partition carries it.
    if (asked) {
      for (auto& tp : *asked) result.offsets.push_back({tp.first, tp.second, -1, -1, ""});
    }
    response.topics = by_topic<OffsetFetchResponse::OffsetFetchResponseTopic>(result, result.error);
    co_return response;
  }
  response.topics = by_topic<OffsetFetchResponse::OffsetFetchResponseTopic>(result, ErrorCode::none,
                                                                           ctx.version() >= 7 && request.require_stable);
  co_return response;
}

}  // namespace conveyor::api
