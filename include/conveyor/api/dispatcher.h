#pragma once
// Dispatcher: routes each request to its handler by API key (api_table.cc),
// after the checks every request gets: a known key and a supported version.
// An unsupported ApiVersions version is answered with UNSUPPORTED_VERSION and
// the supported ranges in the v0 layout (as Kafka does, so that the client
// can pick a version); any other unknown key or version closes the
// connection with a warning naming the client.

#include "conveyor/broker/broker.h"
#include "conveyor/server/request.h"

namespace conveyor::api {

class Dispatcher final : public server::RequestHandler {
 public:
  explicit Dispatcher(broker::Broker& broker) : broker_(broker) {}
  boost::asio::awaitable<server::ResponseFrame> handle(const server::ConnectionInfo& connection,
                                                       server::RequestFrame request) override;

 private:
  broker::Broker& broker_;
};

}  // namespace conveyor::api
