#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/offset_commit_request.h"
#include "conveyor/protocol/messages/offset_commit_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::OffsetCommitResponse> handle_offset_commit(RequestContext& ctx, protocol::OffsetCommitRequest& request);
}
