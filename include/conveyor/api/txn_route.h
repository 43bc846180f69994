#pragma once
// Where a transactional id's coordinator lives: the shard owning its
// __transaction_state partition (see txn/txn_service.h). Every transaction
// API handler routes with it and then hops there with runtime::run_on.

#include <cstdint>
#include <optional>
#include <string_view>

#include "conveyor/api/request_context.h"
#include "conveyor/txn/txn_service.h"

namespace conveyor::api {

inline txn::TxnService& txns(RequestContext& ctx) {
  return *ctx.broker.txns();
}

// nullopt while __transaction_state does not exist (no FindCoordinator for
// a transaction yet): the caller answers COORDINATOR_NOT_AVAILABLE.
inline std::optional<runtime::ShardId> txn_coordinator_shard(RequestContext& ctx,
                                                             std::string_view transactional_id) {
  return txns(ctx).shard_for(ctx.broker.image(), transactional_id);
}

// PRODUCER_FENCED is understood from `first_version` of an API on; older
// clients get INVALID_PRODUCER_EPOCH, which they handle the same way (Kafka).
inline protocol::ErrorCode fenced_for(protocol::ErrorCode error, std::int16_t version,
                                      std::int16_t first_version) {
  if (error == protocol::ErrorCode::producer_fenced && version < first_version) {
    return protocol::ErrorCode::invalid_producer_epoch;
  }
  return error;
}

}  // namespace conveyor::api
