#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/create_partitions_request.h"
#include "conveyor/protocol/messages/create_partitions_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::CreatePartitionsResponse> handle_create_partitions(RequestContext& ctx,
                                                               protocol::CreatePartitionsRequest& request);
}
