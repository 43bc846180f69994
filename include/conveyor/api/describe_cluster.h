#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/describe_cluster_request.h"
#include "conveyor/protocol/messages/describe_cluster_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::DescribeClusterResponse> handle_describe_cluster(RequestContext& ctx,
                                                               protocol::DescribeClusterRequest& request);
}
