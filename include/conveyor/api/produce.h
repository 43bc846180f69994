#pragma once
#include <optional>

#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/produce_request.h"
#include "conveyor/protocol/messages/produce_response.h"

namespace conveyor::api {
// nullopt for acks=0: the client expects no response.
boost::asio::awaitable<std::optional<protocol::ProduceResponse>> handle_produce(RequestContext& ctx,
                                                                                protocol::ProduceRequest& request);
}
