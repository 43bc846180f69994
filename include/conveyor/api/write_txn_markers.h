#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/write_txn_markers_request.h"
#include "conveyor/protocol/messages/write_txn_markers_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::WriteTxnMarkersResponse> handle_write_txn_markers(
    RequestContext& ctx, protocol::WriteTxnMarkersRequest& request);
}
