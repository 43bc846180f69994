// AddOffsetsToTxn (key 25), v0-v4: sendOffsetsToTransaction's first step.
// The group's __consumer_offsets partition joins the transaction like any
// other partition, so that EndTxn writes its marker there too (which makes
// the group's transactional offset commits visible, or drops them). The
// partition is the group coordinator's rule (group/group_records.h); the
// topic is created here if no group was ever looked up, as the producer's
// TxnOffsetCommit goes to that partition next. PRODUCER_FENCED is
// INVALID_PRODUCER_EPOCH before v2.

#include "conveyor/api/add_offsets_to_txn.h"

#include "conveyor/api/group_route.h"
#include "conveyor/api/txn_route.h"
#include "conveyor/runtime/run_on.h"

namespace conveyor::api {

namespace {

using protocol::ErrorCode;

constexpr std::int16_t kFirstVersionWithFenced = 2;

}  // namespace

boost::asio::awaitable<protocol::AddOffsetsToTxnResponse> handle_add_offsets_to_txn(
    RequestContext& ctx, protocol::AddOffsetsToTxnRequest& request) {
  protocol::AddOffsetsToTxnResponse response;
  auto fail = [&response](ErrorCode error) {
    response.error_code = protocol::to_wire(error);
    return response;
  };
  if (request.group_id.empty()) co_return fail(ErrorCode::invalid_group_id);
  if (co_await groups(ctx).ensure_offsets_topic() != ErrorCode::none) {
    co_return fail(ErrorCode::coordinator_not_available);
  }
  const auto offsets = ctx.broker.image().topic(group::kOffsetsTopic);
  const auto shard = txn_coordinator_shard(ctx, request.transactional_id);
  if (!offsets || !shard) co_return fail(ErrorCode::coordinator_not_available);
  std::set<txn::TopicPartition> partitions;
  partitions.insert({std::string(group::kOffsetsTopic),
                     group::offsets_partition_for(request.group_id, offsets->partition_count())});
  auto& service = txns(ctx);
  auto work = [&service, &request, partitions] {
    return service.local().add_partitions(request.transactional_id, request.producer_id,
                                          request.producer_epoch, partitions);
  };
  const auto error = co_await runtime::run_on(service.shards(), *shard, work);
  co_return fail(fenced_for(error, ctx.version(), kFirstVersionWithFenced));
}

}  // namespace conveyor::api
