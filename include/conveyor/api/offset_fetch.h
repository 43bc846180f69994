#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/offset_fetch_request.h"
#include "conveyor/protocol/messages/offset_fetch_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::OffsetFetchResponse> handle_offset_fetch(RequestContext& ctx, protocol::OffsetFetchRequest& request);
}
