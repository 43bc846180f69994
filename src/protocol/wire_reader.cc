#include "conveyor/protocol/wire_reader.h"

#include <bit>
#include <limits>

namespace conveyor::protocol {

bool is_valid_utf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    // Fast path: eight ASCII bytes at a time.
    if (end - p >= 8) {
      std::uint64_t chunk;
      std::memcpy(&chunk, p, 8);
      if ((chunk & 0x8080808080808080ULL) == 0) {
        p += 8;
        continue;
      }
    }
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int extra;
    std::uint32_t code;
    if ((c & 0xE0) == 0xC0) {
      extra = 1;
      code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      code = c & 0x07;
    } else {
      return false;
    }
    if (end - p <= extra) return false;
    for (int i = 1; i <= extra; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      code = (code << 6) | (p[i] & 0x3F);
    }
    static constexpr std::uint32_t kMinForLength[] = {0, 0x80, 0x800, 0x10000};
    if (code < kMinForLength[extra]) return false;           // overlong
    if (code > 0x10FFFF) return false;                       // beyond Unicode
    if (code >= 0xD800 && code <= 0xDFFF) return false;      // UTF-16 surrogate
    p += extra + 1;
  }
  return true;
}

double Reader::read_float64() {
  return std::bit_cast<double>(read_fixed<std::uint64_t>());
}

Uuid Reader::read_uuid() {
  Uuid id;
  id.high = read_fixed<std::uint64_t>();
  id.low = read_fixed<std::uint64_t>();
  return id;
}

std::uint32_t Reader::read_uvarint() {
  if (!ok()) return 0;
  std::uint64_t value = 0;
  switch (varint::read_unsigned(&pos_, end_, varint::kMaxVarintBytes, &value)) {
    case varint::DecodeStatus::ok:
      return static_cast<std::uint32_t>(value);
    case varint::DecodeStatus::truncated:
      fail(ProtocolError::truncated);
      return 0;
    case varint::DecodeStatus::too_long:
      fail(ProtocolError::varint_too_long);
      return 0;
  }
  return 0;
}

std::int32_t Reader::read_varint() { return varint::zigzag_decode(read_uvarint()); }

std::int64_t Reader::read_varlong() {
  if (!ok()) return 0;
  std::uint64_t value = 0;
  switch (varint::read_unsigned(&pos_, end_, varint::kMaxVarlongBytes, &value)) {
    case varint::DecodeStatus::ok:
      return varint::zigzag_decode(value);
    case varint::DecodeStatus::truncated:
      fail(ProtocolError::truncated);
      return 0;
    case varint::DecodeStatus::too_long:
      fail(ProtocolError::varint_too_long);
      return 0;
  }
  return 0;
}

std::span<const std::uint8_t> Reader::read_span(std::size_t n) {
  if (n > remaining()) {
    fail(ProtocolError::truncated);
    return {};
  }
  std::span<const std::uint8_t> out(pos_, n);
  pos_ += n;
  return out;
}

Reader Reader::sub_reader(std::size_t n) {
  auto bytes = read_span(n);
  Reader sub(bytes, owner_);
  if (!ok()) sub.fail(error_);
  return sub;
}

std::int64_t Reader::read_length(bool compact, bool wide) {
  std::int64_t length;
  if (compact) {
    length = static_cast<std::int64_t>(read_uvarint()) - 1;
  } else if (wide) {
    length = read_int32();
  } else {
    length = read_int16();
  }
  if (!ok()) return -2;
  if (length < -1) {
    fail(ProtocolError::negative_length);
    return -2;
  }
  if (length > static_cast<std::int64_t>(remaining())) {
    fail(ProtocolError::length_too_large);
    return -2;
  }
  return length;
}

std::optional<std::string> Reader::read_string_body(bool compact, bool nullable) {
  const std::int64_t length = read_length(compact, /*wide=*/false);
  if (length == -2) return std::string();
  if (length == -1) {
    if (nullable) return std::nullopt;
    fail(ProtocolError::null_not_allowed);
    return std::string();
  }
  auto bytes = read_span(static_cast<std::size_t>(length));
  std::string_view view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (!is_valid_utf8(view)) {
    fail(ProtocolError::invalid_utf8);
    return std::string();
  }
  return std::string(view);
}

std::string Reader::read_string(bool compact) {
  return *read_string_body(compact, /*nullable=*/false);
}

std::optional<std::string> Reader::read_nullable_string(bool compact) {
  return read_string_body(compact, /*nullable=*/true);
}

std::vector<std::uint8_t> Reader::read_bytes(bool compact) {
  auto value = read_nullable_bytes(compact);
  if (!value) {
    fail(ProtocolError::null_not_allowed);
    return {};
  }
  return std::move(*value);
}

std::optional<std::vector<std::uint8_t>> Reader::read_nullable_bytes(bool compact) {
  const std::int64_t length = read_length(compact, /*wide=*/true);
  if (length == -2) return std::vector<std::uint8_t>();
  if (length == -1) return std::nullopt;
  auto bytes = read_span(static_cast<std::size_t>(length));
  return std::vector<std::uint8_t>(bytes.begin(), bytes.end());
}

Records Reader::read_records(bool compact, bool nullable) {
  const std::int64_t length = read_length(compact, /*wide=*/true);
  if (length == -2) return Records();
  if (length == -1) {
    if (!nullable) fail(ProtocolError::null_not_allowed);
    return Records();
  }
  return Records::view(read_span(static_cast<std::size_t>(length)), owner_);
}

std::int32_t Reader::read_array_length(bool compact, std::size_t min_element_size) {
  std::int64_t count;
  if (compact) {
    count = static_cast<std::int64_t>(read_uvarint()) - 1;
  } else {
    count = read_int32();
  }
  if (!ok()) return 0;
  if (count < -1) {
    fail(ProtocolError::negative_length);
    return 0;
  }
  const std::size_t per_element = min_element_size == 0 ? 1 : min_element_size;
  if (count > 0 && static_cast<std::uint64_t>(count) > remaining() / per_element) {
    fail(ProtocolError::length_too_large);
    return 0;
  }
  return static_cast<std::int32_t>(count);
}

RawTaggedField Reader::read_raw_tagged_field(std::uint32_t tag, std::uint32_t size) {
  auto bytes = read_span(size);
  return RawTaggedField{tag, std::vector<std::uint8_t>(bytes.begin(), bytes.end())};
}

}  // namespace conveyor::protocol
