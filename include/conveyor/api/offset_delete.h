#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/offset_delete_request.h"
#include "conveyor/protocol/messages/offset_delete_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::OffsetDeleteResponse> handle_offset_delete(RequestContext& ctx, protocol::OffsetDeleteRequest& request);
}
