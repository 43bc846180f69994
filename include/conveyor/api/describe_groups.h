#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/describe_groups_request.h"
#include "conveyor/protocol/messages/describe_groups_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::DescribeGroupsResponse> handle_describe_groups(RequestContext& ctx, protocol::DescribeGroupsRequest& request);
}
