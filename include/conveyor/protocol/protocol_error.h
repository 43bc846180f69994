#pragma once
// Why bytes from the wire could not be decoded, or a message could not be
// encoded at the requested version. The server closes the connection on a
// decode error (Kafka does the same); the log maps record batch errors to
// CORRUPT_MESSAGE / INVALID_RECORD.

#include <cstdint>
#include <string_view>

namespace conveyor::protocol {

enum class ProtocolError : std::uint8_t {
  none = 0,
  truncated,             // fewer bytes than a length, count or fixed field needs
  negative_length,       // a length or count below -1, or -1 where null is not allowed
  length_too_large,      // a length or count that cannot fit in the bytes left
  varint_too_long,       // more than 5 (varint) or 10 (varlong) bytes
  invalid_utf8,          // a string field that is not valid UTF-8
  invalid_tagged_field,  // tagged field section malformed (size mismatch, bad order)
  unsupported_version,   // version outside the message's validVersions
  null_not_allowed,      // null for a field that is not nullable at this version
  field_not_encodable,   // a non-ignorable field has a non-default value at a version lacking it
  trailing_bytes,        // a frame or nested region holds bytes after the message
};

std::string_view to_string(ProtocolError error);

}  // namespace conveyor::protocol
