#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/init_producer_id_request.h"
#include "conveyor/protocol/messages/init_producer_id_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::InitProducerIdResponse> handle_init_producer_id(
    RequestContext& ctx, protocol::InitProducerIdRequest& request);
}
