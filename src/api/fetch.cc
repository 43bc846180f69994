// Fetch (key 1), v0-v16. v0-v3 clients read magic 0/1 message sets: their
// records are down-converted (fetch_downconvert.h), as on Kafka 3.x.
//
// 1. Session (v7+, KIP-227, fetch_session.h): decide which partitions this
//    request reads — those it names (sessionless or a new session), or the
//    session's partitions updated with what it names (incremental).
// 2. Validate: topics (by name, or by id from v13), partitions led here, the
//    client's leader epoch.
// 3. Read: partitions grouped by owning shard, all shards at once. Each read
//    returns whole batches as a range of a segment file, which the connection
//    sends with sendfile — fetched bytes are never copied into user space.
// 4. Long poll: fewer than min_bytes and time left in max_wait_ms → wait until
//    an append to any of the partitions (FetchWakeup, registered during the
//    read) or the deadline, then read again.
//    read_committed fetches (isolation_level 1, v4+) stop at the last stable
//    offset and carry the aborted transactions in what they return, so the
//    client can drop those records (it drops control batches itself).
// 5. Respond, trimmed to max_bytes in order. As in KIP-74 the first
//    non-empty partition may exceed the limits by one batch, so a batch larger
//    than the limits can never stall a consumer. Incremental responses carry
//    only partitions with records, an error, or changed offsets.

#include "conveyor/api/fetch.h"

#include <chrono>

#include "conveyor/api/fetch_downconvert.h"
#include "conveyor/api/fetch_session.h"
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
  std::size_t target = 0;  // index into the fetch's targets
  broker::PartitionKey key;
  std::int64_t fetch_offset = 0;
  std::uint32_t max_bytes = 0;
};

struct ReadOutcome {
  ErrorCode error = ErrorCode::none;
  log::ReadResult result;
  // read_committed only: the aborted transactions overlapping what was read.
  std::optional<std::vector<log::AbortedTxn>> aborted;
};

// Runs on the shard that owns every partition in `reads`.
std::vector<ReadOutcome> read_on_shard(broker::Broker& broker, const std::vector<PartitionRead>& reads,
                                       const std::shared_ptr<broker::FetchWakeup>& wakeup, bool read_committed) {
  auto& partitions = *broker.local().partitions;
  std::vector<ReadOutcome> outcomes(reads.size());
  for (std::size_t i = 0; i < reads.size(); ++i) {
    broker::Partition* partition = partitions.find(reads[i].key);
    if (partition == nullptr) {
      outcomes[i].error = ErrorCode::not_leader_or_follower;
      continue;
    }
    auto& log = partition->log();
    const std::int64_t visible_end = read_committed ? log.last_stable_offset() : log.high_watermark();
    auto read = log.read(reads[i].fetch_offset, reads[i].max_bytes, true, visible_end);
    if (!read) {
      outcomes[i].error = to_error_code(read.error());
      outcomes[i].result.high_watermark = log.high_watermark();
      outcomes[i].result.log_start_offset = log.log_start_offset();
      outcomes[i].result.last_stable_offset = log.last_stable_offset();
      continue;
    }
    outcomes[i].result = std::move(read.value());
    if (read_committed) outcomes[i].aborted = log.aborted_transactions(reads[i].fetch_offset, visible_end);
    if (wakeup) partition->waiters().add(wakeup);
  }
  return outcomes;
}

// The partitions a request names, in request order.
std::vector<FetchTarget> targets_of(const protocol::FetchRequest& request) {
  std::vector<FetchTarget> targets;
  for (const auto& topic : request.topics) {
    for (const auto& p : topic.partitions) {
      targets.push_back(FetchTarget{topic.topic, topic.topic_id, p.partition, p.fetch_offset, p.partition_max_bytes,
                                    p.current_leader_epoch});
    }
  }
  return targets;
}

std::vector<FetchTarget> forgotten_of(const protocol::FetchRequest& request) {
  std::vector<FetchTarget> forgotten;
  for (const auto& topic : request.forgotten_topics_data) {
    for (const auto partition : topic.partitions) {
      forgotten.push_back(FetchTarget{topic.topic, topic.topic_id, partition, 0, 0, -1});
    }
  }
  return forgotten;
}

// Where a session decision leaves the request.
struct SessionPlan {
  ErrorCode error = ErrorCode::none;
  std::shared_ptr<FetchSession> session;  // null: sessionless
  bool incremental = false;
  std::vector<FetchTarget> targets;
};

SessionPlan plan_session(const protocol::FetchRequest& request, std::int16_t version) {
  SessionPlan plan;
  auto& cache = FetchSessionCache::local();
  const std::int32_t id = version >= 7 ? request.session_id : 0;
  const std::int32_t epoch = version >= 7 ? request.session_epoch : -1;
  if (id == 0 && epoch > 0) {
    plan.error = ErrorCode::invalid_fetch_session_epoch;
    return plan;
  }
  if (epoch <= 0) {
    // -1: full and sessionless (closing `id` if given); 0: full, opening a session.
    if (id != 0) cache.remove(id);
    plan.targets = targets_of(request);
    if (epoch == 0) plan.session = cache.create(plan.targets);
    return plan;
  }
  plan.session = cache.find(id);
  if (!plan.session) {
    plan.error = ErrorCode::fetch_session_id_not_found;
    return plan;
  }
  if (epoch != plan.session->next_epoch()) {
    plan.error = ErrorCode::invalid_fetch_session_epoch;
    return plan;
  }
  plan.session->update(targets_of(request), forgotten_of(request));
  plan.session->advance_epoch();
  plan.incremental = true;
  plan.targets = plan.session->targets();
  return plan;
}

// Outcome of each target, and the reads to make.
struct Validated {
  std::vector<ReadOutcome> outcomes;  // per target; errors filled in
  std::vector<std::vector<PartitionRead>> by_shard;
};

Validated validate(RequestContext& ctx, const std::vector<FetchTarget>& targets) {
  auto& broker = ctx.broker;
  const auto image = broker.image_ptr();
  const bool by_id = ctx.version() >= 13;
  Validated v;
  v.outcomes.resize(targets.size());
  v.by_shard.resize(broker.shards().size());
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const FetchTarget& target = targets[i];
    const auto topic = by_id ? image->topic(target.topic_id) : image->topic(target.topic);
    auto route = route_partition(broker, topic.get(), target.partition);
    if (by_id && !topic) route.error = ErrorCode::unknown_topic_id;
    if (route.error == ErrorCode::none) route.error = check_leader_epoch(target.current_leader_epoch, route.leader_epoch);
    if (route.error == ErrorCode::none && target.partition_max_bytes <= 0) route.error = ErrorCode::invalid_request;
    v.outcomes[i].error = route.error;
    v.outcomes[i].result.high_watermark = -1;
    if (route.error == ErrorCode::none) {
      v.by_shard[route.shard].push_back(
          PartitionRead{i, route.key, target.fetch_offset, static_cast<std::uint32_t>(target.partition_max_bytes)});
    }
  }
  return v;
}

// One read pass over every shard; fills `outcomes`, trims them to the limits
// in target order, and returns the bytes they carry.
asio::awaitable<std::size_t> read_all(RequestContext& ctx, const protocol::FetchRequest& request,
                                      const std::vector<FetchTarget>& targets, Validated& v,
                                      const std::shared_ptr<broker::FetchWakeup>& wakeup, bool& any_error) {
  const bool read_committed = ctx.version() >= 4 && request.isolation_level == 1;
  auto read = [wakeup, read_committed](broker::Broker& b, const std::vector<PartitionRead>& reads)
      -> asio::awaitable<std::vector<ReadOutcome>> { co_return read_on_shard(b, reads, wakeup, read_committed); };
  auto outcomes = co_await on_owning_shards<ReadOutcome>(ctx.broker, v.by_shard, read);
  for (runtime::ShardId shard = 0; shard < v.by_shard.size(); ++shard) {
    for (std::size_t i = 0; i < v.by_shard[shard].size(); ++i) {
      v.outcomes[v.by_shard[shard][i].target] = std::move(outcomes[shard][i]);
    }
  }
  const std::size_t limit = request.max_bytes > 0 ? static_cast<std::size_t>(request.max_bytes) : 0;
  std::size_t total = 0;
  bool first_non_empty = true;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    auto& outcome = v.outcomes[i];
    if (outcome.error != ErrorCode::none) any_error = true;
    const std::size_t size = outcome.result.records.size();
    if (size == 0) continue;
    const auto partition_limit = static_cast<std::size_t>(std::max(targets[i].partition_max_bytes, 0));
    const bool fits = total + size <= limit && size <= partition_limit;
    if (!first_non_empty && !fits) {
      outcome.result.records = protocol::Records::empty();
      continue;
    }
    first_non_empty = false;
    total += size;
  }
  co_return total;
}

// Whether an incremental response must carry this partition.
bool has_news(const ReadOutcome& outcome, const SentState& sent) {
  return outcome.error != ErrorCode::none || outcome.result.records.size() > 0 ||
         outcome.result.high_watermark != sent.high_watermark ||
         outcome.result.log_start_offset != sent.log_start_offset ||
         outcome.result.last_stable_offset != sent.last_stable_offset;
}

void build_response(const SessionPlan& plan, Validated& v, FetchResponse& response) {
  for (std::size_t i = 0; i < plan.targets.size(); ++i) {
    auto& outcome = v.outcomes[i];
    if (plan.session) {
      SentState& sent = plan.session->sent()[i];
      if (plan.incremental && !has_news(outcome, sent)) continue;
      sent = SentState{outcome.result.high_watermark, outcome.result.log_start_offset,
                       outcome.result.last_stable_offset};
    }
    const FetchTarget& target = plan.targets[i];
    if (response.responses.empty() || response.responses.back().topic != target.topic ||
        response.responses.back().topic_id != target.topic_id) {
      FetchResponse::FetchableTopicResponse topic;
      topic.topic = target.topic;
      topic.topic_id = target.topic_id;
      response.responses.push_back(std::move(topic));
    }
    FetchResponse::PartitionData out;
    out.partition_index = target.partition;
    out.error_code = protocol::to_wire(outcome.error);
    out.high_watermark = outcome.result.high_watermark;
    out.last_stable_offset = outcome.result.last_stable_offset;
    out.log_start_offset = outcome.result.log_start_offset;
    // Null for read_uncommitted, as Kafka sends it; a list for read_committed.
    out.aborted_transactions.reset();
    if (outcome.aborted) {
      out.aborted_transactions.emplace();
      for (const auto& aborted : *outcome.aborted) {
        FetchResponse::AbortedTransaction entry;
        entry.producer_id = aborted.producer_id;
        entry.first_offset = aborted.first_offset;
        out.aborted_transactions->push_back(entry);
      }
    }
    // Empty, never null: librdkafka stalls a partition on a null record set.
    out.records = outcome.error == ErrorCode::none && !outcome.result.records.is_null()
                      ? std::move(outcome.result.records)
                      : protocol::Records::empty();
    response.responses.back().partitions.push_back(std::move(out));
  }
}

}  // namespace

asio::awaitable<FetchResponse> handle_fetch(RequestContext& ctx, protocol::FetchRequest& request) {
  FetchResponse response;
  const SessionPlan plan = plan_session(request, ctx.version());
  if (plan.error != ErrorCode::none) {
    response.error_code = protocol::to_wire(plan.error);
    co_return response;
  }
  response.session_id = plan.session ? plan.session->id() : 0;
  Validated validated = validate(ctx, plan.targets);

  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max(request.max_wait_ms, 0));
  const auto min_bytes = static_cast<std::size_t>(std::max(request.min_bytes, 0));
  const auto executor = co_await asio::this_coro::executor;
  for (;;) {
    const bool may_wait = std::chrono::steady_clock::now() < deadline;
    std::shared_ptr<broker::FetchWakeup> wakeup;
    if (may_wait) wakeup = std::make_shared<broker::FetchWakeup>(executor, deadline);
    bool any_error = false;
    const std::size_t bytes = co_await read_all(ctx, request, plan.targets, validated, wakeup, any_error);
    if (bytes >= min_bytes || any_error || !may_wait) break;
    co_await wakeup->wait();
  }
  if (ctx.version() < 4) {
    for (std::size_t i = 0; i < plan.targets.size(); ++i) {
      auto& outcome = validated.outcomes[i];
      if (outcome.error != ErrorCode::none) continue;
      auto converted = downconvert_for_fetch(outcome.result.records, ctx.version(), plan.targets[i].fetch_offset);
      if (converted) {
        outcome.result.records = std::move(converted.value());
      } else {
        outcome.error = converted.error();
      }
    }
  }
  build_response(plan, validated, response);
  co_return response;
}

}  // namespace conveyor::api
