#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/create_topics_request.h"
#include "conveyor/protocol/messages/create_topics_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::CreateTopicsResponse> handle_create_topics(RequestContext& ctx,
                                                               protocol::CreateTopicsRequest& request);
}
