#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/add_offsets_to_txn_request.h"
#include "conveyor/protocol/messages/add_offsets_to_txn_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::AddOffsetsToTxnResponse> handle_add_offsets_to_txn(RequestContext& ctx, protocol::AddOffsetsToTxnRequest& request);
}
