#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/heartbeat_request.h"
#include "conveyor/protocol/messages/heartbeat_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::HeartbeatResponse> handle_heartbeat(RequestContext& ctx, protocol::HeartbeatRequest& request);
}
