#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/add_partitions_to_txn_request.h"
#include "conveyor/protocol/messages/add_partitions_to_txn_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::AddPartitionsToTxnResponse> handle_add_partitions_to_txn(RequestContext& ctx, protocol::AddPartitionsToTxnRequest& request);
}
