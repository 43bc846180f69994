// JoinGroup (key 11), v0-v9: the join phase of a rebalance. The request
// hops to the group's coordinator shard and waits there until the join
// phase ends (all known members rejoined, or the rebalance timeout), then
// answers with the new generation; the leader also gets every member's
// metadata for the chosen protocol. v4+: a new member first gets
// MEMBER_ID_REQUIRED with its id; v5+: static membership; v9: skip_assignment.

#include "conveyor/api/join_group.h"

#include "conveyor/api/group_route.h"
#include "conveyor/runtime/run_on.h"

namespace conveyor::api {

boost::asio::awaitable<protocol::JoinGroupResponse> handle_join_group(RequestContext& ctx,
                                                                     protocol::JoinGroupRequest& request) {
  using protocol::ErrorCode;
  group::JoinRequest join;
  join.group_id = request.group_id;
  join.member_id = request.member_id;
  join.group_instance_id = request.group_instance_id;
  join.client_id = std::string(ctx.client_id());
  join.client_host = "/" + ctx.connection.remote_ip;
  join.session_timeout_ms = request.session_timeout_ms;
  join.rebalance_timeout_ms = ctx.version() >= 1 ? request.rebalance_timeout_ms : request.session_timeout_ms;
  join.protocol_type = request.protocol_type;
  for (auto& p : request.protocols) join.protocols.push_back({p.name, std::move(p.metadata)});
  join.require_known_member_id = ctx.version() >= 4;
  join.supports_skip_assignment = ctx.version() >= 9;

  group::JoinResult result;
  result.member_id = request.member_id;
  if (auto shard = coordinator_shard(ctx, request.group_id)) {
    auto& service = groups(ctx);
    auto work = [&service, join = std::move(join)]() mutable -> boost::asio::awaitable<group::JoinResult> {
      co_return co_await service.local().join(std::move(join));
    };
    result = co_await runtime::run_on(service.shards(), *shard, work);
  } else {
    result.error = ErrorCode::coordinator_not_available;
  }

  protocol::JoinGroupResponse response;
  response.error_code = protocol::to_wire(result.error);
  response.generation_id = result.generation;
  if (ctx.version() >= 7) response.protocol_type = result.protocol_type;
  response.protocol_name = result.protocol_name;
  if (!response.protocol_name && ctx.version() < 7) response.protocol_name = "";
  response.leader = result.leader;
  response.member_id = result.member_id;
  if (ctx.version() >= 9) response.skip_assignment = result.skip_assignment;
  for (auto& m : result.members) {
    protocol::JoinGroupResponse::JoinGroupResponseMember member;
    member.member_id = m.member_id;
    if (ctx.version() >= 5) member.group_instance_id = m.group_instance_id;
    member.metadata = std::move(m.metadata);
    response.members.push_back(std::move(member));
  }
  co_return response;
}

}  // namespace conveyor::api
