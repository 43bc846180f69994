// SyncGroup (key 14), v0-v5: the leader sends the assignment it computed;
// the coordinator stores it in __consumer_offsets (durably) and hands each
// member its share. Followers wait on the coordinator shard until then.

#include "conveyor/api/sync_group.h"

#include "conveyor/api/group_route.h"
#include "conveyor/runtime/run_on.h"

namespace conveyor::api {

boost::asio::awaitable<protocol::SyncGroupResponse> handle_sync_group(RequestContext& ctx,
                                                                     protocol::SyncGroupRequest& request) {
  group::SyncRequest sync;
  sync.group_id = request.group_id;
  sync.generation = request.generation_id;
  sync.member_id = request.member_id;
  sync.group_instance_id = request.group_instance_id;
  if (ctx.version() >= 5) {
    sync.protocol_type = request.protocol_type;
    sync.protocol_name = request.protocol_name;
  }
  for (auto& a : request.assignments) sync.assignments.emplace_back(a.member_id, std::move(a.assignment));

  group::SyncResult result;
  if (auto shard = coordinator_shard(ctx, request.group_id)) {
    auto& service = groups(ctx);
    auto work = [&service, sync = std::move(sync)]() mutable -> boost::asio::awaitable<group::SyncResult> {
      co_return co_await service.local().sync(std::move(sync));
    };
    result = co_await runtime::run_on(service.shards(), *shard, work);
  } else {
    result.error = protocol::ErrorCode::coordinator_not_available;
  }
  protocol::SyncGroupResponse response;
  response.error_code = protocol::to_wire(result.error);
  if (ctx.version() >= 5) {
    response.protocol_type = result.protocol_type;
    response.protocol_name = result.protocol_name;
  }
  response.assignment = std::move(result.assignment);
  co_return response;
}

}  // namespace conveyor::api
