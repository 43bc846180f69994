#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/delete_groups_request.h"
#include "conveyor/protocol/messages/delete_groups_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::DeleteGroupsResponse> handle_delete_groups(RequestContext& ctx, protocol::DeleteGroupsRequest& request);
}
