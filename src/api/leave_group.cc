// LeaveGroup (key 13), v0-v5: members leave at once instead of waiting for
// their session timeout. v3+ batches members (by member id and/or
// group.instance.id); a static member leaving with a stale member id is
// FENCED_INSTANCE_ID.

#include "conveyor/api/leave_group.h"

#include "conveyor/api/group_route.h"
#include "conveyor/runtime/run_on.h"

namespace conveyor::api {

boost::asio::awaitable<protocol::LeaveGroupResponse> handle_leave_group(RequestContext& ctx,
                                                                       protocol::LeaveGroupRequest& request) {
  using protocol::ErrorCode;
  std::vector<group::MemberIdentity> identities;
  if (ctx.version() < 3) {
    identities.push_back({request.member_id, std::nullopt});
  } else {
    for (const auto& m : request.members) identities.push_back({m.member_id, m.group_instance_id});
  }
  group::LeaveResult result;
  if (auto shard = coordinator_shard(ctx, request.group_id)) {
    auto& service = groups(ctx);
    auto work = [&service, &request, &identities] { return service.local().leave(request.group_id, identities); };
    result = co_await runtime::run_on(service.shards(), *shard, work);
  } else {
    result.error = ErrorCode::coordinator_not_available;
  }
  protocol::LeaveGroupResponse response;
  response.error_code = protocol::to_wire(result.error);
  if (ctx.version() < 3) {
    if (result.error == ErrorCode::none && !result.members.empty()) {
      response.error_code = protocol::to_wire(result.members.front());
    }
    co_return response;
  }
  for (std::size_t i = 0; i < result.members.size() && i < identities.size(); ++i) {
    protocol::LeaveGroupResponse::MemberResponse member;
    member.member_id = identities[i].member_id;
    member.group_instance_id = identities[i].group_instance_id;
    member.error_code = protocol::to_wire(result.members[i]);
    response.members.push_back(std::move(member));
  }
  co_return response;
}

}  // namespace conveyor::api
