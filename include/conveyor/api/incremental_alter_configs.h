#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/incremental_alter_configs_request.h"
#include "conveyor/protocol/messages/incremental_alter_configs_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::IncrementalAlterConfigsResponse> handle_incremental_alter_configs(RequestContext& ctx,
                                                               protocol::IncrementalAlterConfigsRequest& request);
}
