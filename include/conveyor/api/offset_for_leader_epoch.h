#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/offset_for_leader_epoch_request.h"
#include "conveyor/protocol/messages/offset_for_leader_epoch_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::OffsetForLeaderEpochResponse> handle_offset_for_leader_epoch(
    RequestContext& ctx, protocol::OffsetForLeaderEpochRequest& request);
}
