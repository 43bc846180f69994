#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/describe_producers_request.h"
#include "conveyor/protocol/messages/describe_producers_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::DescribeProducersResponse> handle_describe_producers(
    RequestContext& ctx, protocol::DescribeProducersRequest& request);
}
