#include "conveyor/protocol/protocol_error.h"

namespace conveyor::protocol {

std::string_view to_string(ProtocolError error) {
  switch (error) {
    case ProtocolError::none: return "none";
    case ProtocolError::truncated: return "truncated";
    case ProtocolError::negative_length: return "negative length";
    case ProtocolError::length_too_large: return "length larger than the bytes left";
    case ProtocolError::varint_too_long: return "varint too long";
    case ProtocolError::invalid_utf8: return "invalid UTF-8 in a string";
    case ProtocolError::invalid_tagged_field: return "malformed tagged field";
    case ProtocolError::unsupported_version: return "unsupported version";
    case ProtocolError::null_not_allowed: return "null in a non-nullable field";
    case ProtocolError::field_not_encodable: return "field not encodable at this version";
    case ProtocolError::trailing_bytes: return "trailing bytes";
  }
  return "unknown";
}

}  // namespace conveyor::protocol
