#pragma once
// The shape every API handler has, and the adapter that decodes its request
// and encodes its response. A handler is a plain function
//
//   boost::asio::awaitable<XResponse> handle_x(RequestContext&, XRequest&);
//
// (Produce returns std::optional<ProduceResponse>: nullopt for acks=0.) It
// validates, delegates to the broker's services, and fills the response;
// it never sees bytes.

#include <spdlog/spdlog.h>

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <type_traits>

#include "conveyor/api/request_context.h"
#include "conveyor/protocol/api_registry.h"
#include "conveyor/server/request.h"

namespace conveyor::api {

using Handler = boost::asio::awaitable<server::ResponseFrame> (*)(RequestContext&);

// Encodes a response with its header; a failure here is a handler bug
// (a field set that the version cannot carry), logged and answered by
// closing the connection.
template <typename Response>
server::ResponseFrame encode_response(const RequestContext& ctx, const Response& response) {
  server::ResponseFrame frame;
  protocol::Writer& w = frame.message;
  w.reserve_int32();  // the connection fills in the size
  protocol::ResponseHeader header;
  header.correlation_id = ctx.frame.correlation_id;
  const std::int16_t header_version = protocol::response_header_version(ctx.frame.api_key, ctx.version());
  auto error = header.encode(w, header_version);
  if (error == protocol::ProtocolError::none) error = response.encode(w, ctx.version());
  if (error != protocol::ProtocolError::none) {
    spdlog::error("cannot encode {} v{} for client {}: {}", Response::kName, ctx.version(), ctx.client_id(),
                  protocol::to_string(error));
    return server::ResponseFrame::close_connection();
  }
  return frame;
}

template <typename T>
struct optional_inner {
  using type = T;
};
template <typename T>
struct optional_inner<std::optional<T>> {
  using type = T;
};

template <typename Request, auto Fn>
boost::asio::awaitable<server::ResponseFrame> typed_handler(RequestContext& ctx) {
  Request request;
  protocol::Reader reader(ctx.frame.body(), ctx.frame.bytes);
  if (auto error = request.decode(reader, ctx.version()); error != protocol::ProtocolError::none) {
    spdlog::warn("closing connection from {} (client id '{}'): malformed {} v{}: {}",
                 ctx.connection.remote_address, ctx.client_id(), Request::kName, ctx.version(),
                 protocol::to_string(error));
    co_return server::ResponseFrame::close_connection();
  }
  auto response = co_await Fn(ctx, request);
  using Returned = decltype(response);
  if constexpr (std::is_same_v<Returned, typename optional_inner<Returned>::type>) {
    co_return encode_response(ctx, response);
  } else {
    if (!response) co_return server::ResponseFrame::none();
    co_return encode_response(ctx, *response);
  }
}

}  // namespace conveyor::api
