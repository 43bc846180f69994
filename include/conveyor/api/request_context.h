#pragma once
// RequestContext: what a handler knows about the request it serves.

#include <cstdint>
#include <string_view>

#include "conveyor/broker/broker.h"
#include "conveyor/server/request.h"

namespace conveyor::api {

struct RequestContext {
  broker::Broker& broker;
  const server::ConnectionInfo& connection;
  const server::RequestFrame& frame;

  std::int16_t version() const { return frame.api_version; }
  std::string_view client_id() const { return frame.client_id ? std::string_view(*frame.client_id) : ""; }
};

}  // namespace conveyor::api
