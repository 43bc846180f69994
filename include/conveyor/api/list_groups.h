#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/list_groups_request.h"
#include "conveyor/protocol/messages/list_groups_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::ListGroupsResponse> handle_list_groups(RequestContext& ctx, protocol::ListGroupsRequest& request);
}
