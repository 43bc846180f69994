#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/txn_offset_commit_request.h"
#include "conveyor/protocol/messages/txn_offset_commit_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::TxnOffsetCommitResponse> handle_txn_offset_commit(
    RequestContext& ctx, protocol::TxnOffsetCommitRequest& request);
}
