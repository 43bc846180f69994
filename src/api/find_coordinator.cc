// FindCoordinator (key 10), v0-v6. This broker (one node) coordinates every
// group (key type 0) and every transactional id (key type 1). The first
// request of a type creates its internal topic, __consumer_offsets or
// __transaction_state, as Kafka does; each key is then served by the shard
// owning its partition. v4+ batches keys in `coordinator_keys`.

#include "conveyor/api/find_coordinator.h"

#include "conveyor/api/group_route.h"
#include "conveyor/api/txn_route.h"

namespace conveyor::api {

namespace {

using protocol::ErrorCode;
using protocol::FindCoordinatorResponse;

constexpr std::int8_t kGroupKey = 0;
constexpr std::int8_t kTransactionKey = 1;

}  // namespace

boost::asio::awaitable<FindCoordinatorResponse> handle_find_coordinator(RequestContext& ctx,
                                                                       protocol::FindCoordinatorRequest& request) {
  ErrorCode error = ErrorCode::none;
  std::string message;
  if (request.key_type == kGroupKey) {
    error = co_await groups(ctx).ensure_offsets_topic();
    if (error != ErrorCode::none) {
      error = ErrorCode::coordinator_not_available;
      message = "The coordinator is not available.";
    }
  } else if (request.key_type == kTransactionKey) {
    error = co_await txns(ctx).ensure_state_topic();
    if (error != ErrorCode::none) {
      error = ErrorCode::coordinator_not_available;
      message = "The coordinator is not available.";
    }
  } else {
    error = ErrorCode::invalid_request;
    message = "Unknown coordinator key type.";
  }
  const auto* self = ctx.broker.image().broker(ctx.broker.node_id());
  auto fill = [&](auto& out) {
    out.error_code = protocol::to_wire(error);
    if (error == ErrorCode::none && self != nullptr) {
      out.node_id = self->node_id;
      out.host = self->host;
      out.port = self->port;
    } else {
      out.node_id = -1;
      out.host = "";
      out.port = -1;
      out.error_message = message;
    }
  };
  FindCoordinatorResponse response;
  if (ctx.version() < 4) {
    fill(response);
    if (ctx.version() == 0) response.error_message.reset();
    co_return response;
  }
  for (const auto& key : request.coordinator_keys) {
    FindCoordinatorResponse::Coordinator coordinator;
    coordinator.key = key;
    fill(coordinator);
    response.coordinators.push_back(std::move(coordinator));
  }
  co_return response;
}

}  // namespace conveyor::api
