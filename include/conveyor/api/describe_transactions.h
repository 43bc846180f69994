#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/describe_transactions_request.h"
#include "conveyor/protocol/messages/describe_transactions_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::DescribeTransactionsResponse> handle_describe_transactions(RequestContext& ctx, protocol::DescribeTransactionsRequest& request);
}
