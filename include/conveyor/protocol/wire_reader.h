#pragma once
// Reader: bounds-checked big-endian decoding of Kafka wire types from one
// contiguous buffer (a request frame).
//
// Errors are sticky: the first failure records a ProtocolError, every later
// read returns a zero value and consumes nothing, and the caller checks ok()
// once at the end. No read ever touches a byte outside [begin, end), and every
// length or count read from the wire is compared with the bytes that remain
// before anything is allocated for it.
//
// `owner` keeps the underlying buffer alive for zero-copy Records views.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "conveyor/protocol/protocol_error.h"
#include "conveyor/protocol/records.h"
#include "conveyor/protocol/tagged_fields.h"
#include "conveyor/protocol/uuid.h"
#include "conveyor/protocol/varint.h"

namespace conveyor::protocol {

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or values
// above U+10FFFF), as Java's strict decoder would accept it.
bool is_valid_utf8(std::string_view text);

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes, std::shared_ptr<const void> owner = nullptr)
      : pos_(bytes.data()), end_(bytes.data() + bytes.size()), owner_(std::move(owner)) {}

  bool ok() const { return error_ == ProtocolError::none; }
  ProtocolError error() const { return error_; }
  void fail(ProtocolError error) {
    if (error_ == ProtocolError::none) error_ = error;
    pos_ = end_;
  }
  std::size_t remaining() const { return static_cast<std::size_t>(end_ - pos_); }
  bool at_end() const { return pos_ == end_; }
  const std::uint8_t* position() const { return pos_; }
  const std::shared_ptr<const void>& owner() const { return owner_; }

  // Fixed-width integers, big-endian.
  std::int8_t read_int8() { return static_cast<std::int8_t>(read_fixed<std::uint8_t>()); }
  std::int16_t read_int16() { return static_cast<std::int16_t>(read_fixed<std::uint16_t>()); }
  std::uint16_t read_uint16() { return read_fixed<std::uint16_t>(); }
  std::int32_t read_int32() { return static_cast<std::int32_t>(read_fixed<std::uint32_t>()); }
  std::uint32_t read_uint32() { return read_fixed<std::uint32_t>(); }
  std::int64_t read_int64() { return static_cast<std::int64_t>(read_fixed<std::uint64_t>()); }
  double read_float64();
  bool read_bool() { return read_fixed<std::uint8_t>() != 0; }
  Uuid read_uuid();

  std::uint32_t read_uvarint();
  std::int32_t read_varint();
  std::int64_t read_varlong();

  // Consumes `n` bytes and returns them; fails (returning empty) if fewer remain.
  std::span<const std::uint8_t> read_span(std::size_t n);
  // A reader over the next `n` bytes (sharing the owner); this reader skips them.
  Reader sub_reader(std::size_t n);

  // Kafka field encodings. `compact` selects the flexible-version form
  // (unsigned varint of length + 1) over the classic int16/int32 length.
  std::string read_string(bool compact);
  std::optional<std::string> read_nullable_string(bool compact);
  std::vector<std::uint8_t> read_bytes(bool compact);
  std::optional<std::vector<std::uint8_t>> read_nullable_bytes(bool compact);
  Records read_records(bool compact, bool nullable);
  // An array element count: -1 for null, else a count that `min_element_size`
  // bytes per element could still fit in what remains (checked here, so that
  // callers may size allocations from it).
  std::int32_t read_array_length(bool compact, std::size_t min_element_size);
  // A raw tagged field's bytes, for fields this version does not know.
  RawTaggedField read_raw_tagged_field(std::uint32_t tag, std::uint32_t size);

 private:
  template <typename T>
  T read_fixed() {
    if (remaining() < sizeof(T)) {
      fail(ProtocolError::truncated);
      return T{};
    }
    T value;
    std::memcpy(&value, pos_, sizeof(T));
    pos_ += sizeof(T);
    if constexpr (sizeof(T) == 2) value = __builtin_bswap16(value);
    if constexpr (sizeof(T) == 4) value = __builtin_bswap32(value);
    if constexpr (sizeof(T) == 8) value = __builtin_bswap64(value);
    return value;
  }
  // Reads a string/bytes length: -1 means null; returns -2 after a failure.
  std::int64_t read_length(bool compact, bool wide);
  std::optional<std::string> read_string_body(bool compact, bool nullable);

  const std::uint8_t* pos_;
  const std::uint8_t* end_;
  std::shared_ptr<const void> owner_;
  ProtocolError error_ = ProtocolError::none;
};

}  // namespace conveyor::protocol
