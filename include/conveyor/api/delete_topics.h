#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/delete_topics_request.h"
#include "conveyor/protocol/messages/delete_topics_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::DeleteTopicsResponse> handle_delete_topics(RequestContext& ctx,
                                                               protocol::DeleteTopicsRequest& request);
}
