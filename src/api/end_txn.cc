// EndTxn (key 26), v0-v4: commit or abort the producer's transaction. The
// coordinator makes PrepareCommit/PrepareAbort durable, writes the marker
// to every partition of the transaction (each fsync'd), appends
// CompleteCommit/CompleteAbort (its fsync rides on the partition's next one;
// txn_coordinator.h says why that is safe), and only then is this answered —
// so a producer told "committed" has its transaction visible everywhere. A
// retry of a completed EndTxn is answered NONE; the other outcome,
// INVALID_TXN_STATE. v5 (KIP-890 part 2: an epoch bump per transaction) is
// not offered. PRODUCER_FENCED is INVALID_PRODUCER_EPOCH before v2.

#include "conveyor/api/end_txn.h"

#include "conveyor/api/txn_route.h"
#include "conveyor/runtime/run_on.h"

namespace conveyor::api {

namespace {

constexpr std::int16_t kFirstVersionWithFenced = 2;

}  // namespace

boost::asio::awaitable<protocol::EndTxnResponse> handle_end_txn(RequestContext& ctx,
                                                                protocol::EndTxnRequest& request) {
  protocol::EndTxnResponse response;
  const auto shard = txn_coordinator_shard(ctx, request.transactional_id);
  if (!shard) {
    response.error_code = protocol::to_wire(protocol::ErrorCode::coordinator_not_available);
    co_return response;
  }
  auto& service = txns(ctx);
  auto work = [&service, &request] {
    return service.local().end_txn(request.transactional_id, request.producer_id,
                                   request.producer_epoch, request.committed);
  };
  const auto error = co_await runtime::run_on(service.shards(), *shard, work);
  response.error_code =
      protocol::to_wire(fenced_for(error, ctx.version(), kFirstVersionWithFenced));
  co_return response;
}

}  // namespace conveyor::api
