// DeleteGroups (key 42), v0-v2: removes empty groups and their committed
// offsets (tombstones in __consumer_offsets). A group with members is
// NON_EMPTY_GROUP; one that does not exist GROUP_ID_NOT_FOUND.

#include "conveyor/api/delete_groups.h"

#include "conveyor/api/group_route.h"
#include "conveyor/runtime/run_on.h"

namespace conveyor::api {

boost::asio::awaitable<protocol::DeleteGroupsResponse> handle_delete_groups(RequestContext& ctx,
                                                                           protocol::DeleteGroupsRequest& request) {
  protocol::DeleteGroupsResponse response;
  for (const auto& group_id : request.groups_names) {
    protocol::ErrorCode error = protocol::ErrorCode::group_id_not_found;
    if (group_id.empty()) {
      error = protocol::ErrorCode::invalid_group_id;
    } else if (auto shard = coordinator_shard(ctx, group_id)) {
      auto& service = groups(ctx);
      auto work = [&service, group_id]() -> boost::asio::awaitable<protocol::ErrorCode> {
        co_return co_await service.local().delete_group(group_id);
      };
      error = co_await runtime::run_on(service.shards(), *shard, work);
    }
    protocol::DeleteGroupsResponse::DeletableGroupResult result;
    result.group_id = group_id;
    result.error_code = protocol::to_wire(error);
    response.results.push_back(std::move(result));
  }
  co_return response;
}

}  // namespace conveyor::api
