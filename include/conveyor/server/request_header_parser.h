#pragma once
// Parses the request header at the start of a frame. The header version
// follows from the API key and version (flexible versions use header v2);
// keys no schema defines are parsed as v1 so that the handler can still log
// who sent them before the connection is closed.

#include <cstdint>
#include <memory>
#include <vector>

#include "conveyor/base/result.h"
#include "conveyor/protocol/protocol_error.h"
#include "conveyor/server/request.h"

namespace conveyor::server {

Result<RequestFrame, protocol::ProtocolError> parse_request_frame(std::shared_ptr<FrameBytes> bytes);

}  // namespace conveyor::server
