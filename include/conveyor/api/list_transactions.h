#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/list_transactions_request.h"
#include "conveyor/protocol/messages/list_transactions_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::ListTransactionsResponse> handle_list_transactions(RequestContext& ctx, protocol::ListTransactionsRequest& request);
}
