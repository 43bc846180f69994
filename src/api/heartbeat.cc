// Heartbeat (key 12), v0-v4: keeps a member's session alive; answers
// REBALANCE_IN_PROGRESS while the group prepares a rebalance, so the member
// rejoins.

#include "conveyor/api/heartbeat.h"

#include "conveyor/api/group_route.h"
#include "conveyor/runtime/run_on.h"

namespace conveyor::api {

boost::asio::awaitable<protocol::HeartbeatResponse> handle_heartbeat(RequestContext& ctx,
                                                                    protocol::HeartbeatRequest& request) {
  protocol::HeartbeatResponse response;
  auto shard = coordinator_shard(ctx, request.group_id);
  if (!shard) {
    response.error_code = protocol::to_wire(protocol::ErrorCode::coordinator_not_available);
    co_return response;
  }
  auto& service = groups(ctx);
  auto work = [&service, &request] {
    return service.local().heartbeat(request.group_id, request.generation_id, request.member_id,
                                     request.group_instance_id);
  };
  response.error_code = protocol::to_wire(co_await runtime::run_on(service.shards(), *shard, work));
  co_return response;
}

}  // namespace conveyor::api
