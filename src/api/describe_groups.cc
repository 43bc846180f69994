// DescribeGroups (key 15), v0-v5: state, protocol and members of each group
// (member metadata and assignments only when Stable, as Kafka). A group that
// does not exist is described as Dead with no error.

#include "conveyor/api/describe_groups.h"

#include "conveyor/api/group_route.h"
#include "conveyor/runtime/run_on.h"

namespace conveyor::api {

namespace {
// READ, DELETE, DESCRIBE: every operation on a group (no authorizer).
constexpr std::int32_t kAllGroupOperations = (1 << 3) | (1 << 6) | (1 << 8);
}  // namespace

boost::asio::awaitable<protocol::DescribeGroupsResponse> handle_describe_groups(
    RequestContext& ctx, protocol::DescribeGroupsRequest& request) {
  protocol::DescribeGroupsResponse response;
  for (const auto& group_id : request.groups) {
    group::GroupDescription description;
    description.group_id = group_id;
    description.state = "Dead";
    if (auto shard = coordinator_shard(ctx, group_id)) {
      auto& service = groups(ctx);
      auto work = [&service, &group_id] { return service.local().describe(group_id); };
      description = co_await runtime::run_on(service.shards(), *shard, work);
    } else if (group_id.empty()) {
      description.error = protocol::ErrorCode::invalid_group_id;
    }
    protocol::DescribeGroupsResponse::DescribedGroup out;
    out.error_code = protocol::to_wire(description.error);
    out.group_id = group_id;
    out.group_state = description.state;
    out.protocol_type = description.protocol_type;
    out.protocol_data = description.protocol;
    for (auto& m : description.members) {
      protocol::DescribeGroupsResponse::DescribedGroupMember member;
      member.member_id = m.member_id;
      if (ctx.version() >= 4) member.group_instance_id = m.group_instance_id;
      member.client_id = m.client_id;
      member.client_host = m.client_host;
      member.member_metadata = std::move(m.metadata);
      member.member_assignment = std::move(m.assignment);
      out.members.push_back(std::move(member));
    }
    if (ctx.version() >= 3) {
      out.authorized_operations = request.include_authorized_operations ? kAllGroupOperations : INT32_MIN;
    }
    response.groups.push_back(std::move(out));
  }
  co_return response;
}

}  // namespace conveyor::api
