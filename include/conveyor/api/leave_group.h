#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/leave_group_request.h"
#include "conveyor/protocol/messages/leave_group_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::LeaveGroupResponse> handle_leave_group(RequestContext& ctx, protocol::LeaveGroupRequest& request);
}
