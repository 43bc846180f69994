#pragma once
// Where a group's coordinator lives: the shard owning the group's
// __consumer_offsets partition (see group/group_service.h). Every group API
// handler routes with it and then hops there with runtime::run_on.

#include <optional>
#include <string_view>

#include "conveyor/api/request_context.h"
#include "conveyor/group/group_service.h"

namespace conveyor::api {

inline group::GroupService& groups(RequestContext& ctx) { return *ctx.broker.groups(); }

// nullopt while __consumer_offsets does not exist (no FindCoordinator yet):
// the caller answers COORDINATOR_NOT_AVAILABLE or "no such group".
inline std::optional<runtime::ShardId> coordinator_shard(RequestContext& ctx, std::string_view group_id) {
  return groups(ctx).shard_for(ctx.broker.image(), group_id);
}

}  // namespace conveyor::api
