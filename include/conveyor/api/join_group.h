#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/join_group_request.h"
#include "conveyor/protocol/messages/join_group_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::JoinGroupResponse> handle_join_group(RequestContext& ctx, protocol::JoinGroupRequest& request);
}
