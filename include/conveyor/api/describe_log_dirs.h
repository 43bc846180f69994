#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/describe_log_dirs_request.h"
#include "conveyor/protocol/messages/describe_log_dirs_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::DescribeLogDirsResponse> handle_describe_log_dirs(
    RequestContext& ctx, protocol::DescribeLogDirsRequest& request);
}
