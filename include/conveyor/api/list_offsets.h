#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/list_offsets_request.h"
#include "conveyor/protocol/messages/list_offsets_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::ListOffsetsResponse> handle_list_offsets(RequestContext& ctx,
                                                                          protocol::ListOffsetsRequest& request);
}
