#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/end_txn_request.h"
#include "conveyor/protocol/messages/end_txn_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::EndTxnResponse> handle_end_txn(RequestContext& ctx, protocol::EndTxnRequest& request);
}
