#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/api_versions_request.h"
#include "conveyor/protocol/messages/api_versions_response.h"

namespace conveyor::api {

boost::asio::awaitable<protocol::ApiVersionsResponse> handle_api_versions(RequestContext& ctx,
                                                                          protocol::ApiVersionsRequest& request);
// For an ApiVersions version this broker does not support: UNSUPPORTED_VERSION
// and the supported ranges, encoded as ApiVersionsResponse v0.
server::ResponseFrame unsupported_api_versions_response(const RequestContext& ctx);

}  // namespace conveyor::api
