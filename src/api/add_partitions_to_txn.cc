// AddPartitionsToTxn (key 24), v0-v5. A producer names the partitions it is
// about to write in its transaction, before its first batch to each; the
// coordinator makes them part of the transaction durably (they get the
// markers at the end).
//
// v0-v3 (clients): one transaction. v4+ (Kafka: broker to broker, KIP-890)
// batches transactions, each answered on its own, and may ask only whether
// the partitions are already in the transaction (verify_only).
//
// As Kafka: a partition that does not exist fails the whole transaction's
// request (UNKNOWN_TOPIC_OR_PARTITION, the others OPERATION_NOT_ATTEMPTED);
// clients (v0-v3) may not add internal topics (TOPIC_AUTHORIZATION_FAILED —
// __consumer_offsets joins through AddOffsetsToTxn); the coordinator's error
// applies to every partition; PRODUCER_FENCED is INVALID_PRODUCER_EPOCH
// before v2.

#include "conveyor/api/add_partitions_to_txn.h"

#include <map>

#include "conveyor/api/txn_route.h"
#include "conveyor/runtime/run_on.h"

namespace conveyor::api {

namespace {

namespace asio = boost::asio;
using protocol::AddPartitionsToTxnRequest;
using protocol::AddPartitionsToTxnResponse;
using protocol::ErrorCode;

constexpr std::int16_t kFirstVersionWithFenced = 2;
constexpr std::int16_t kFirstBatchedVersion = 4;

using TopicResults = std::vector<AddPartitionsToTxnResponse::AddPartitionsToTxnTopicResult>;

// One error per partition, in the request's order.
TopicResults results(const std::vector<AddPartitionsToTxnRequest::AddPartitionsToTxnTopic>& topics,
                     const std::map<txn::TopicPartition, ErrorCode>& errors, ErrorCode otherwise) {
  TopicResults out;
  for (const auto& topic : topics) {
    AddPartitionsToTxnResponse::AddPartitionsToTxnTopicResult result;
    result.name = topic.name;
    for (const auto partition : topic.partitions) {
      auto it = errors.find({topic.name, partition});
      const auto error = it == errors.end() ? otherwise : it->second;
      result.results_by_partition.push_back({partition, protocol::to_wire(error), {}});
    }
    out.push_back(std::move(result));
  }
  return out;
}

asio::awaitable<TopicResults> add_one(
    RequestContext& ctx, const AddPartitionsToTxnRequest::AddPartitionsToTxnTransaction& t) {
  const bool from_client = ctx.version() < kFirstBatchedVersion;
  // Validate the partitions against the metadata first.
  std::map<txn::TopicPartition, ErrorCode> invalid;
  std::set<txn::TopicPartition> partitions;
  const auto image = ctx.broker.image_ptr();
  for (const auto& topic : t.topics) {
    const auto info = image->topic(topic.name);
    for (const auto partition : topic.partitions) {
      const txn::TopicPartition tp{topic.name, partition};
      if (from_client && info && info->is_internal()) {
        invalid[tp] = ErrorCode::topic_authorization_failed;
      } else if (!info || partition < 0 || partition >= info->partition_count()) {
        invalid[tp] = ErrorCode::unknown_topic_or_partition;
      } else {
        partitions.insert(tp);
      }
    }
  }
  if (!invalid.empty()) co_return results(t.topics, invalid, ErrorCode::operation_not_attempted);

  const auto shard = txn_coordinator_shard(ctx, t.transactional_id);
  if (!shard) co_return results(t.topics, {}, ErrorCode::coordinator_not_available);
  auto& service = txns(ctx);
  if (t.verify_only) {
    auto work = [&service, &t, &partitions] {
      return service.local().verify_partitions(t.transactional_id, t.producer_id, t.producer_epoch,
                                               partitions);
    };
    const auto verified = co_await runtime::run_on(service.shards(), *shard, work);
    if (verified.error != ErrorCode::none) co_return results(t.topics, {}, verified.error);
    std::map<txn::TopicPartition, ErrorCode> missing;
    for (const auto& tp : verified.missing) missing[tp] = ErrorCode::transaction_abortable;
    co_return results(t.topics, missing, ErrorCode::none);
  }
  auto work = [&service, &t, partitions] {
    return service.local().add_partitions(t.transactional_id, t.producer_id, t.producer_epoch,
                                          partitions);
  };
  const auto error = co_await runtime::run_on(service.shards(), *shard, work);
  co_return results(t.topics, {}, fenced_for(error, ctx.version(), kFirstVersionWithFenced));
}

}  // namespace

asio::awaitable<AddPartitionsToTxnResponse> handle_add_partitions_to_txn(
    RequestContext& ctx, AddPartitionsToTxnRequest& request) {
  AddPartitionsToTxnResponse response;
  if (ctx.version() < kFirstBatchedVersion) {
    AddPartitionsToTxnRequest::AddPartitionsToTxnTransaction t;
    t.transactional_id = std::move(request.v3_and_below_transactional_id);
    t.producer_id = request.v3_and_below_producer_id;
    t.producer_epoch = request.v3_and_below_producer_epoch;
    t.topics = std::move(request.v3_and_below_topics);
    response.results_by_topic_v3_and_below = co_await add_one(ctx, t);
    co_return response;
  }
  for (const auto& t : request.transactions) {
    AddPartitionsToTxnResponse::AddPartitionsToTxnResult result;
    result.transactional_id = t.transactional_id;
    result.topic_results = co_await add_one(ctx, t);
    response.results_by_transaction.push_back(std::move(result));
  }
  co_return response;
}

}  // namespace conveyor::api
