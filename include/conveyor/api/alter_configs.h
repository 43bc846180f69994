#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/alter_configs_request.h"
#include "conveyor/protocol/messages/alter_configs_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::AlterConfigsResponse> handle_alter_configs(RequestContext& ctx,
                                                               protocol::AlterConfigsRequest& request);
}
