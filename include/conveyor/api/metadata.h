#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/metadata_request.h"
#include "conveyor/protocol/messages/metadata_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::MetadataResponse> handle_metadata(RequestContext& ctx,
                                                                   protocol::MetadataRequest& request);
}
