// ListGroups (key 16), v0-v5: the groups of every coordinator shard,
// filtered by state (v4+, case-insensitive) and type (v5+: all groups here
// are "classic").

#include "conveyor/api/list_groups.h"

#include <algorithm>
#include <cctype>

#include "conveyor/api/group_route.h"
#include "conveyor/runtime/fan_out.h"

namespace conveyor::api {

namespace {

bool equals_ignore_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

boost::asio::awaitable<protocol::ListGroupsResponse> handle_list_groups(RequestContext& ctx,
                                                                       protocol::ListGroupsRequest& request) {
  protocol::ListGroupsResponse response;
  std::vector<group::GroupState> states;
  bool nothing_matches = false;
  if (ctx.version() >= 4 && !request.states_filter.empty()) {
    for (const auto& name : request.states_filter) {
      if (auto state = group::parse_group_state(name)) states.push_back(*state);
    }
    nothing_matches = states.empty();
  }
  if (ctx.version() >= 5 && !request.types_filter.empty()) {
    const bool classic = std::any_of(request.types_filter.begin(), request.types_filter.end(),
                                     [](const std::string& t) { return equals_ignore_case(t, "classic"); });
    nothing_matches = nothing_matches || !classic;
  }
  if (nothing_matches) co_return response;

  auto& service = groups(ctx);
  std::vector<runtime::ShardCall<std::vector<group::GroupListing>>> calls;
  for (runtime::ShardId shard = 0; shard < service.shards().size(); ++shard) {
    auto call = [&service, states]() -> boost::asio::awaitable<std::vector<group::GroupListing>> {
      co_return service.local().list(states);
    };
    calls.push_back({shard, std::move(call)});
  }
  auto listed = co_await runtime::fan_out(service.shards(), std::move(calls));
  for (auto& shard_groups : listed) {
    for (auto& g : shard_groups) {
      protocol::ListGroupsResponse::ListedGroup out;
      out.group_id = std::move(g.group_id);
      out.protocol_type = std::move(g.protocol_type);
      if (ctx.version() >= 4) out.group_state = std::move(g.state);
      if (ctx.version() >= 5) out.group_type = "classic";
      response.groups.push_back(std::move(out));
    }
  }
  co_return response;
}

}  // namespace conveyor::api
