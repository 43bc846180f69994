#pragma once
// Writer: big-endian encoding of Kafka wire types into a growable buffer,
// with large Records spliced in by reference instead of copied.
//
// The output is a sequence of pieces: runs of the writer's own buffer and, in
// between, external Records (a file range to sendfile, or a large memory view
// to writev). `external()` lists them with the buffer offset where each one
// goes. Small in-memory records are copied inline because a separate iovec
// costs more than the copy.
//
// Like the Reader, errors are sticky: encoding a null into a non-nullable field
// or dropping a non-ignorable field records a ProtocolError; check ok() after.

#include <cstddef>
#include <cstdint>
#include <cstring>
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

class Writer {
 public:
  // Records at least this large are referenced, not copied.
  static constexpr std::size_t kSpliceThreshold = 4096;

  struct External {
    std::size_t buffer_offset;  // goes before buffer()[buffer_offset]
    Records records;
  };

  Writer() = default;
  explicit Writer(std::size_t reserve) { buffer_.reserve(reserve); }

  bool ok() const { return error_ == ProtocolError::none; }
  ProtocolError error() const { return error_; }
  void fail(ProtocolError error) {
    if (error_ == ProtocolError::none) error_ = error;
  }

  // Total encoded length, counting external pieces.
  std::size_t size() const { return buffer_.size() + external_bytes_; }
  const std::vector<std::uint8_t>& buffer() const { return buffer_; }
  std::vector<std::uint8_t>& buffer() { return buffer_; }
  const std::vector<External>& external() const { return external_; }
  // The whole encoding as one contiguous copy (tests and small messages; file
  // records are not readable here and fail with an empty result).
  std::vector<std::uint8_t> flatten() const;

  void write_int8(std::int8_t v) { put(static_cast<std::uint8_t>(v)); }
  void write_int16(std::int16_t v) { put(__builtin_bswap16(static_cast<std::uint16_t>(v))); }
  void write_uint16(std::uint16_t v) { put(__builtin_bswap16(v)); }
  void write_int32(std::int32_t v) { put(__builtin_bswap32(static_cast<std::uint32_t>(v))); }
  void write_uint32(std::uint32_t v) { put(__builtin_bswap32(v)); }
  void write_int64(std::int64_t v) { put(__builtin_bswap64(static_cast<std::uint64_t>(v))); }
  void write_float64(double v);
  void write_bool(bool v) { put(static_cast<std::uint8_t>(v ? 1 : 0)); }
  void write_uuid(const Uuid& v) {
    write_int64(static_cast<std::int64_t>(v.high));
    write_int64(static_cast<std::int64_t>(v.low));
  }
  void write_uvarint(std::uint32_t v);
  void write_varint(std::int32_t v) { write_uvarint(varint::zigzag_encode(v)); }
  void write_varlong(std::int64_t v);
  void write_raw(std::span<const std::uint8_t> bytes);

  // Reserves 4 bytes for an int32 filled in later (a frame size).
  std::size_t reserve_int32();
  void patch_int32(std::size_t buffer_offset, std::int32_t v);

  void write_string(std::string_view v, bool compact);
  void write_nullable_string(const std::optional<std::string>& v, bool compact);
  void write_bytes(std::span<const std::uint8_t> v, bool compact);
  void write_nullable_bytes(const std::optional<std::vector<std::uint8_t>>& v, bool compact);
  void write_records(const Records& v, bool compact, bool nullable);
  void write_array_length(std::optional<std::size_t> count, bool compact);
  void write_null_array(bool compact) { write_array_length(std::nullopt, compact); }

 private:
  template <typename T>
  void put(T v) {
    const std::size_t at = buffer_.size();
    buffer_.resize(at + sizeof(T));
    std::memcpy(buffer_.data() + at, &v, sizeof(T));
  }

  std::vector<std::uint8_t> buffer_;
  std::vector<External> external_;
  std::size_t external_bytes_ = 0;
  ProtocolError error_ = ProtocolError::none;
};

// Encoded sizes of Kafka field encodings, for the generated size() functions.
namespace wire_size {
inline std::size_t length_prefix(std::size_t length, bool compact, bool wide) {
  return compact ? varint::size_unsigned(length + 1) : (wide ? 4 : 2);
}
inline std::size_t string(std::string_view v, bool compact) {
  return length_prefix(v.size(), compact, false) + v.size();
}
inline std::size_t nullable_string(const std::optional<std::string>& v, bool compact) {
  return v ? string(*v, compact) : (compact ? 1 : 2);
}
inline std::size_t bytes(std::span<const std::uint8_t> v, bool compact) {
  return length_prefix(v.size(), compact, true) + v.size();
}
inline std::size_t nullable_bytes(const std::optional<std::vector<std::uint8_t>>& v, bool compact) {
  return v ? bytes(*v, compact) : (compact ? 1 : 4);
}
inline std::size_t records(const Records& v, bool compact) {
  return v.is_null() ? (compact ? 1 : 4) : length_prefix(v.size(), compact, true) + v.size();
}
inline std::size_t array_length(std::size_t count, bool compact) {
  return compact ? varint::size_unsigned(count + 1) : 4;
}
inline std::size_t null_array(bool compact) { return compact ? 1 : 4; }
}  // namespace wire_size

// Writes unknown tagged fields (sorted by tag) interleaved with known ones.
class RawTagWriter {
 public:
  explicit RawTagWriter(const UnknownTaggedFields& fields) : fields_(fields) {}
  // Writes every unknown field whose tag is below `tag`.
  void write_below(Writer& w, std::uint32_t tag);
  void write_rest(Writer& w) { write_below(w, UINT32_MAX); }

 private:
  const UnknownTaggedFields& fields_;
  std::size_t next_ = 0;
};

std::size_t unknown_tagged_fields_size(const UnknownTaggedFields& fields);

}  // namespace conveyor::protocol
