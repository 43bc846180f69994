#include "conveyor/protocol/message_support.h"

namespace conveyor::protocol {

std::uint32_t read_tagged_field_count(Reader& reader) {
  const std::uint32_t count = reader.read_uvarint();
  if (count > reader.remaining() / 2) {
    reader.fail(ProtocolError::length_too_large);
    return 0;
  }
  return count;
}

Reader read_tagged_field(Reader& reader, std::uint32_t& tag) {
  tag = reader.read_uvarint();
  const std::uint32_t size = reader.read_uvarint();
  if (reader.ok() && size > reader.remaining()) reader.fail(ProtocolError::length_too_large);
  return reader.sub_reader(reader.ok() ? size : 0);
}

void finish_known_tagged_field(Reader& reader, const Reader& field_reader) {
  if (!field_reader.ok()) {
    reader.fail(field_reader.error());
  } else if (!field_reader.at_end()) {
    reader.fail(ProtocolError::invalid_tagged_field);
  }
}

void read_unknown_tagged_fields(Reader& reader, UnknownTaggedFields& unknown) {
  const std::uint32_t count = read_tagged_field_count(reader);
  for (std::uint32_t i = 0; i < count && reader.ok(); ++i) {
    std::uint32_t tag = 0;
    Reader field_reader = read_tagged_field(reader, tag);
    if (!reader.ok()) break;
    auto bytes = field_reader.read_span(field_reader.remaining());
    unknown.push_back(RawTaggedField{tag, std::vector<std::uint8_t>(bytes.begin(), bytes.end())});
  }
}

}  // namespace conveyor::protocol
