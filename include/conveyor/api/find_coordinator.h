#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/find_coordinator_request.h"
#include "conveyor/protocol/messages/find_coordinator_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::FindCoordinatorResponse> handle_find_coordinator(RequestContext& ctx, protocol::FindCoordinatorRequest& request);
}
