#include "conveyor/protocol/wire_writer.h"

#include <bit>

namespace conveyor::protocol {

std::vector<std::uint8_t> Writer::flatten() const {
  std::vector<std::uint8_t> out;
  out.reserve(size());
  std::size_t copied = 0;
  for (const auto& piece : external_) {
    out.insert(out.end(), buffer_.begin() + static_cast<std::ptrdiff_t>(copied),
               buffer_.begin() + static_cast<std::ptrdiff_t>(piece.buffer_offset));
    copied = piece.buffer_offset;
    if (!piece.records.in_memory()) return {};
    auto bytes = piece.records.bytes();
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
  out.insert(out.end(), buffer_.begin() + static_cast<std::ptrdiff_t>(copied), buffer_.end());
  return out;
}

void Writer::write_float64(double v) { put(__builtin_bswap64(std::bit_cast<std::uint64_t>(v))); }

void Writer::write_uvarint(std::uint32_t v) {
  std::uint8_t tmp[varint::kMaxVarintBytes];
  std::uint8_t* end = varint::write_unsigned(tmp, v);
  buffer_.insert(buffer_.end(), &tmp[0], end);
}

void Writer::write_varlong(std::int64_t v) {
  std::uint8_t tmp[varint::kMaxVarlongBytes];
  std::uint8_t* end = varint::write_unsigned(tmp, varint::zigzag_encode(v));
  buffer_.insert(buffer_.end(), &tmp[0], end);
}

void Writer::write_raw(std::span<const std::uint8_t> bytes) {
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

std::size_t Writer::reserve_int32() {
  const std::size_t at = buffer_.size();
  buffer_.resize(at + 4);
  return at;
}

void Writer::patch_int32(std::size_t buffer_offset, std::int32_t v) {
  const std::uint32_t be = __builtin_bswap32(static_cast<std::uint32_t>(v));
  std::memcpy(buffer_.data() + buffer_offset, &be, 4);
}

void Writer::write_string(std::string_view v, bool compact) {
  if (compact) {
    write_uvarint(static_cast<std::uint32_t>(v.size() + 1));
  } else {
    if (v.size() > INT16_MAX) {
      fail(ProtocolError::length_too_large);
      return;
    }
    write_int16(static_cast<std::int16_t>(v.size()));
  }
  buffer_.insert(buffer_.end(), v.begin(), v.end());
}

void Writer::write_nullable_string(const std::optional<std::string>& v, bool compact) {
  if (v) {
    write_string(*v, compact);
  } else if (compact) {
    write_uvarint(0);
  } else {
    write_int16(-1);
  }
}

void Writer::write_bytes(std::span<const std::uint8_t> v, bool compact) {
  if (compact) {
    write_uvarint(static_cast<std::uint32_t>(v.size() + 1));
  } else {
    write_int32(static_cast<std::int32_t>(v.size()));
  }
  write_raw(v);
}

void Writer::write_nullable_bytes(const std::optional<std::vector<std::uint8_t>>& v,
                                  bool compact) {
  if (v) {
    write_bytes(*v, compact);
  } else if (compact) {
    write_uvarint(0);
  } else {
    write_int32(-1);
  }
}

void Writer::write_records(const Records& v, bool compact, bool nullable) {
  if (v.is_null()) {
    if (!nullable) fail(ProtocolError::null_not_allowed);
    if (compact) {
      write_uvarint(0);
    } else {
      write_int32(-1);
    }
    return;
  }
  if (compact) {
    write_uvarint(static_cast<std::uint32_t>(v.size() + 1));
  } else {
    write_int32(static_cast<std::int32_t>(v.size()));
  }
  if (v.in_memory() && v.size() < kSpliceThreshold) {
    write_raw(v.bytes());
    return;
  }
  if (v.size() == 0) return;
  external_.push_back(External{buffer_.size(), v});
  external_bytes_ += v.size();
}

void Writer::write_array_length(std::optional<std::size_t> count, bool compact) {
  if (!count) {
    if (compact) {
      write_uvarint(0);
    } else {
      write_int32(-1);
    }
  } else if (compact) {
    write_uvarint(static_cast<std::uint32_t>(*count + 1));
  } else {
    write_int32(static_cast<std::int32_t>(*count));
  }
}

void RawTagWriter::write_below(Writer& w, std::uint32_t tag) {
  while (next_ < fields_.size() && fields_[next_].tag < tag) {
    const auto& field = fields_[next_++];
    w.write_uvarint(field.tag);
    w.write_uvarint(static_cast<std::uint32_t>(field.data.size()));
    w.write_raw(field.data);
  }
}

std::size_t unknown_tagged_fields_size(const UnknownTaggedFields& fields) {
  std::size_t n = 0;
  for (const auto& field : fields) {
    n += varint::size_unsigned(field.tag) + varint::size_unsigned(field.data.size()) +
         field.data.size();
  }
  return n;
}

}  // namespace conveyor::protocol
