// InitProducerId (key 22), v0-v5. For an idempotent producer (no
// transactional id) Kafka hands out a fresh producer id with epoch 0 on
// every call — also when a v3+ client names its current id and epoch (it
// bumps the epoch of an idempotent producer itself, KIP-360). Ids come from
// blocks reserved in the metadata log (metadata/producer_id_manager.h), so none
// is reused after a restart. Transactional ids need the transaction
// coordinator, which is not built yet: they are refused.

#include "conveyor/api/init_producer_id.h"

namespace conveyor::api {

using protocol::ErrorCode;

boost::asio::awaitable<protocol::InitProducerIdResponse> handle_init_producer_id(
    RequestContext& ctx, protocol::InitProducerIdRequest& request) {
  protocol::InitProducerIdResponse response;
  response.producer_id = -1;
  response.producer_epoch = -1;
  if (request.transactional_id) {
    response.error_code = protocol::to_wire(request.transactional_id->empty()
                                                ? ErrorCode::invalid_request
                                                : ErrorCode::transactional_id_authorization_failed);
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
