#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/fetch_request.h"
#include "conveyor/protocol/messages/fetch_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::FetchResponse> handle_fetch(RequestContext& ctx, protocol::FetchRequest& request);
}
