#include "conveyor/api/dispatcher.h"

#include "conveyor/api/api_table.h"
#include "conveyor/api/api_versions.h"

namespace conveyor::api {

boost::asio::awaitable<server::ResponseFrame> Dispatcher::handle(const server::ConnectionInfo& connection,
                                                                 server::RequestFrame request) {
  RequestContext ctx{broker_, connection, request};
  const ApiEntry* api = find_api(request.api_key);
  if (api == nullptr) {
    spdlog::warn("closing connection from {} (client id '{}'): unsupported API key {}", connection.remote_address,
                 ctx.client_id(), request.api_key);
    co_return server::ResponseFrame::close_connection();
  }
  if (request.api_version < api->min_version || request.api_version > api->max_version) {
    if (request.api_key == protocol::ApiVersionsRequest::kApiKey) {
      co_return unsupported_api_versions_response(ctx);
    }
    spdlog::warn("closing connection from {} (client id '{}'): unsupported version {} of API key {}",
                 connection.remote_address, ctx.client_id(), request.api_version, request.api_key);
    co_return server::ResponseFrame::close_connection();
  }
  co_return co_await api->handler(ctx);
}

}  // namespace conveyor::api
