#pragma once
// Variable-length integers as Kafka writes them (protobuf style, 7 bits per
// byte, least significant group first): unsigned varints for compact lengths
// and tagged fields (at most 5 bytes), zigzag varints (5 bytes) and varlongs
// (10 bytes) inside record batches. Decoders never read past `end` and reject
// encodings longer than the maximum.

#include <cstddef>
#include <cstdint>

namespace conveyor::protocol::varint {

inline constexpr std::size_t kMaxVarintBytes = 5;
inline constexpr std::size_t kMaxVarlongBytes = 10;

constexpr std::uint32_t zigzag_encode(std::int32_t v) {
  return (static_cast<std::uint32_t>(v) << 1) ^ static_cast<std::uint32_t>(v >> 31);
}
constexpr std::uint64_t zigzag_encode(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
constexpr std::int32_t zigzag_decode(std::uint32_t v) {
  return static_cast<std::int32_t>((v >> 1) ^ (~(v & 1) + 1));
}
constexpr std::int64_t zigzag_decode(std::uint64_t v) {
  return static_cast<std::int64_t>((v >> 1) ^ (~(v & 1) + 1));
}

constexpr std::size_t size_unsigned(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}
constexpr std::size_t size_varint(std::int32_t v) { return size_unsigned(zigzag_encode(v)); }
constexpr std::size_t size_varlong(std::int64_t v) { return size_unsigned(zigzag_encode(v)); }

// Writes `v` at `out` (which must have room for size_unsigned(v) bytes) and
// returns the byte after it.
inline std::uint8_t* write_unsigned(std::uint8_t* out, std::uint64_t v) {
  while (v >= 0x80) {
    *out++ = static_cast<std::uint8_t>(v | 0x80);
    v >>= 7;
  }
  *out++ = static_cast<std::uint8_t>(v);
  return out;
}

enum class DecodeStatus : std::uint8_t { ok, truncated, too_long };

// Reads an unsigned varint of at most `max_bytes` from [*pos, end). On success
// advances *pos. `max_bytes` is 5 for 32-bit values and 10 for 64-bit values;
// a fifth (tenth) byte with bits beyond 32 (64) is rejected as too long.
inline DecodeStatus read_unsigned(const std::uint8_t** pos, const std::uint8_t* end,
                                  std::size_t max_bytes, std::uint64_t* value) {
  const std::uint8_t* p = *pos;
  std::uint64_t result = 0;
  for (std::size_t i = 0; i < max_bytes; ++i) {
    if (p == end) return DecodeStatus::truncated;
    const std::uint8_t byte = *p++;
    result |= static_cast<std::uint64_t>(byte & 0x7F) << (7 * i);
    if ((byte & 0x80) == 0) {
      if (i == max_bytes - 1) {
        // Last permitted byte: only the bits that still fit in the type.
        const unsigned used_bits = static_cast<unsigned>(7 * i);
        const unsigned width = max_bytes == kMaxVarintBytes ? 32 : 64;
        if (width - used_bits < 7 && (byte >> (width - used_bits)) != 0) {
          return DecodeStatus::too_long;
        }
      }
      *pos = p;
      *value = result;
      return DecodeStatus::ok;
    }
  }
  return DecodeStatus::too_long;
}

}  // namespace conveyor::protocol::varint
