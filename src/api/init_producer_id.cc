// InitProducerId (key 22), v0-v5.
//
// Idempotent producers (no transactional id): Kafka hands out a fresh
// producer id with epoch 0 on every call — also when a v3+ client names its
// current id and epoch (it bumps the epoch of an idempotent producer itself,
// KIP-360). Ids come from blocks reserved in the metadata log
// (metadata/producer_id_manager.h), so none is reused after a restart.
//
// Transactional producers: the transaction coordinator of the id
// (txn/txn_coordinator.h) gives a new id epoch 0, bumps the epoch of a known
// one (fencing older instances, after aborting their open transaction), and
// checks the producer id and epoch a v3+ request carries (KIP-360). The
// first such request creates __transaction_state, as FindCoordinator does.
// PRODUCER_FENCED is INVALID_PRODUCER_EPOCH before v4.

#include "conveyor/api/init_producer_id.h"

#include "conveyor/api/txn_route.h"
#include "conveyor/runtime/run_on.h"

namespace conveyor::api {

namespace {

using protocol::ErrorCode;

constexpr std::int16_t kFirstVersionWithFenced = 4;

boost::asio::awaitable<txn::InitResult> init_transactional(
    RequestContext& ctx, protocol::InitProducerIdRequest& request) {
  std::optional<txn::ProducerIdAndEpoch> expected;
  const bool has_id = request.producer_id != txn::kNoProducerId;
  const bool has_epoch = request.producer_epoch != txn::kNoProducerEpoch;
  if (ctx.version() >= 3 && has_id != has_epoch)
    co_return txn::InitResult{ErrorCode::invalid_request};
  if (ctx.version() >= 3 && has_id)
    expected = txn::ProducerIdAndEpoch{request.producer_id, request.producer_epoch};
  if (request.transactional_id->empty()) co_return txn::InitResult{ErrorCode::invalid_request};
  auto& service = txns(ctx);
  if (co_await service.ensure_state_topic() != ErrorCode::none) {
    co_return txn::InitResult{ErrorCode::coordinator_not_available};
  }
  const auto shard = txn_coordinator_shard(ctx, *request.transactional_id);
  if (!shard) co_return txn::InitResult{ErrorCode::coordinator_not_available};
  auto work = [&service, id = *request.transactional_id, timeout = request.transaction_timeout_ms,
               expected] { return service.local().init_producer_id(id, timeout, expected); };
  co_return co_await runtime::run_on(service.shards(), *shard, work);
}

}  // namespace

boost::asio::awaitable<protocol::InitProducerIdResponse> handle_init_producer_id(
    RequestContext& ctx, protocol::InitProducerIdRequest& request) {
  protocol::InitProducerIdResponse response;
  response.producer_id = -1;
  response.producer_epoch = -1;
  if (request.transactional_id) {
    const auto result = co_await init_transactional(ctx, request);
    response.error_code =
        protocol::to_wire(fenced_for(result.error, ctx.version(), kFirstVersionWithFenced));
    if (result.error == ErrorCode::none) {
      response.producer_id = result.producer_id;
      response.producer_epoch = result.producer_epoch;
    }
    co_return response;
  }
  const auto id = co_await ctx.broker.allocate_producer_id();
  if (!id) {
    // The metadata log could not be written; the client retries.
    response.error_code = protocol::to_wire(ErrorCode::coordinator_not_available);
    co_return response;
  }
  response.producer_id = *id;
  response.producer_epoch = 0;
  co_return response;
}

}  // namespace conveyor::api
