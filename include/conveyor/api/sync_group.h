#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/sync_group_request.h"
#include "conveyor/protocol/messages/sync_group_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::SyncGroupResponse> handle_sync_group(RequestContext& ctx, protocol::SyncGroupRequest& request);
}
