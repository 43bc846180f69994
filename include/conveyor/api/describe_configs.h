#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/describe_configs_request.h"
#include "conveyor/protocol/messages/describe_configs_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::DescribeConfigsResponse> handle_describe_configs(RequestContext& ctx,
                                                               protocol::DescribeConfigsRequest& request);
}
