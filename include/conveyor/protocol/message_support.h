#pragma once
// What the generated message code (build/.../protocol/messages/*.h) needs:
// the wire reader and writer, Records, Uuid and the standard containers.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conveyor/protocol/protocol_error.h"
#include "conveyor/protocol/records.h"
#include "conveyor/protocol/tagged_fields.h"
#include "conveyor/protocol/uuid.h"
#include "conveyor/protocol/varint.h"
#include "conveyor/protocol/wire_reader.h"
#include "conveyor/protocol/wire_writer.h"

namespace conveyor::protocol {

// The tagged-field section that ends every struct in a flexible version:
// an unsigned varint count, then (tag, size, bytes) per field.

// Reads the count, checking it against the bytes left (each field takes at
// least two bytes).
std::uint32_t read_tagged_field_count(Reader& reader);
// Reads one field's tag and size and returns a reader over its bytes.
Reader read_tagged_field(Reader& reader, std::uint32_t& tag);
// Checks that a known field's decoder consumed exactly its bytes.
void finish_known_tagged_field(Reader& reader, const Reader& field_reader);
// A section with no known fields: keeps every field as raw bytes.
void read_unknown_tagged_fields(Reader& reader, UnknownTaggedFields& unknown);

// A section with known fields: `known(tag, field_reader)` decodes the field
// and returns true, or returns false for a tag this version does not know,
// which is then kept as raw bytes.
template <typename KnownField>
void read_tagged_fields(Reader& reader, UnknownTaggedFields& unknown, KnownField&& known) {
  const std::uint32_t count = read_tagged_field_count(reader);
  for (std::uint32_t i = 0; i < count && reader.ok(); ++i) {
    std::uint32_t tag = 0;
    Reader field_reader = read_tagged_field(reader, tag);
    if (!reader.ok()) break;
    const auto bytes = std::span<const std::uint8_t>(field_reader.position(), field_reader.remaining());
    if (known(tag, field_reader)) {
      finish_known_tagged_field(reader, field_reader);
    } else {
      unknown.push_back(RawTaggedField{tag, std::vector<std::uint8_t>(bytes.begin(), bytes.end())});
    }
  }
}

}  // namespace conveyor::protocol
