#include "conveyor/server/request_header_parser.h"

#include "conveyor/protocol/api_registry.h"
#include "conveyor/protocol/wire_reader.h"

namespace conveyor::server {

Result<RequestFrame, protocol::ProtocolError> parse_request_frame(std::shared_ptr<FrameBytes> bytes) {
  protocol::Reader peek(*bytes);
  const std::int16_t api_key = peek.read_int16();
  const std::int16_t api_version = peek.read_int16();
  if (!peek.ok()) return Unexpected{peek.error()};

  RequestFrame frame;
  frame.header_version = protocol::request_header_version(api_key, api_version);
  protocol::Reader reader(*bytes);
  protocol::RequestHeader header;
  if (auto error = header.decode(reader, frame.header_version); error != protocol::ProtocolError::none) {
    return Unexpected{error};
  }
  frame.api_key = header.request_api_key;
  frame.api_version = header.request_api_version;
  frame.correlation_id = header.correlation_id;
  frame.client_id = std::move(header.client_id);
  frame.body_offset = bytes->size() - reader.remaining();
  frame.bytes = std::move(bytes);
  return frame;
}

}  // namespace conveyor::server
