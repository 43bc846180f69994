// Legacy message sets: the entry reader and writer, CRC-32, and the LZ4
// frame header checksum (KAFKA-3160). The conversions are in
// legacy_message_set_upconvert.cc and legacy_message_set_downconvert.cc.

#include "conveyor/protocol/legacy_message_set.h"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <limits>

namespace conveyor::protocol {

std::optional<std::int8_t> records_magic(std::span<const std::uint8_t> records) {
  if (records.size() <= legacy::kMagicOffset) return std::nullopt;
  return static_cast<std::int8_t>(records[legacy::kMagicOffset]);
}

namespace legacy {
namespace {

std::uint32_t load_be32u(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(load_be32(p));
}

// Reads a length-prefixed bytes field at [*pos, end): -1 is null.
Result<NullableBytes, BatchError> read_bytes(const std::uint8_t** pos, const std::uint8_t* end) {
  if (end - *pos < 4) return Unexpected{BatchError::bad_records};
  const std::int32_t length = load_be32(*pos);
  *pos += 4;
  if (length == -1) return NullableBytes{};
  if (length < 0 || length > end - *pos) return Unexpected{BatchError::bad_records};
  const BytesView bytes(*pos, static_cast<std::size_t>(length));
  *pos += length;
  return NullableBytes{bytes};
}

}  // namespace

std::uint32_t crc32_ieee(BytesView data) {
  const uLong crc = crc32_z(0L, Z_NULL, 0);
  return static_cast<std::uint32_t>(crc32_z(crc, data.data(), data.size()));
}

Result<bool, BatchError> MessageReader::next(Message& message) {
  if (rest_.empty()) return false;
  if (rest_.size() < kLogOverhead) return Unexpected{BatchError::truncated};
  const std::int32_t size = load_be32(rest_.data() + 8);
  if (size < static_cast<std::int32_t>(kRecordOverheadV0))
    return Unexpected{BatchError::bad_length};
  if (static_cast<std::size_t>(size) > rest_.size() - kLogOverhead)
    return Unexpected{BatchError::truncated};
  const std::size_t total = kLogOverhead + static_cast<std::size_t>(size);
  const BytesView entry = rest_.first(total);

  const std::int8_t magic = static_cast<std::int8_t>(entry[kMagicOffset]);
  if (magic != kMagicV0 && magic != kMagicV1) return Unexpected{BatchError::bad_magic};
  if (magic == kMagicV1 && static_cast<std::size_t>(size) < kRecordOverheadV1) {
    return Unexpected{BatchError::bad_length};
  }
  if (crc32_ieee(entry.subspan(kMagicOffset)) != load_be32u(entry.data() + kCrcOffset)) {
    return Unexpected{BatchError::bad_crc};
  }

  Message m;
  m.offset = load_be64(entry.data());
  m.magic = magic;
  m.attributes = static_cast<std::int8_t>(entry[kAttributesOffset]);
  const std::uint8_t* pos = entry.data() + kAttributesOffset + 1;
  const std::uint8_t* end = entry.data() + entry.size();
  if (magic == kMagicV1) {
    m.timestamp = load_be64(pos);
    pos += 8;
  }
  auto key = read_bytes(&pos, end);
  if (!key) return Unexpected{key.error()};
  auto value = read_bytes(&pos, end);
  if (!value) return Unexpected{value.error()};
  if (pos != end) return Unexpected{BatchError::bad_records};
  m.key = *key;
  m.value = *value;
  m.encoded = entry;
  message = m;
  rest_ = rest_.subspan(total);
  return true;
}

Result<void, BatchError> append_message(std::vector<std::uint8_t>& out, std::int8_t magic,
                                        std::int64_t offset, std::int8_t attributes,
                                        std::int64_t timestamp, NullableBytes key,
                                        NullableBytes value) {
  const std::size_t key_size = key ? key->size() : 0;
  const std::size_t value_size = value ? value->size() : 0;
  const std::size_t overhead = magic == kMagicV0 ? kRecordOverheadV0 : kRecordOverheadV1;
  constexpr std::size_t kMaxSize =
      static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max());
  if (key_size > kMaxSize || value_size > kMaxSize - key_size ||
      overhead + key_size + value_size > kMaxSize) {
    return Unexpected{BatchError::too_large};
  }
  const std::size_t size = overhead + key_size + value_size;
  const std::size_t start = out.size();
  out.resize(start + kLogOverhead + size);
  std::uint8_t* p = out.data() + start;
  store_be64(p, offset);
  store_be32(p + 8, static_cast<std::int32_t>(size));
  p[kMagicOffset] = static_cast<std::uint8_t>(magic);
  p[kAttributesOffset] = static_cast<std::uint8_t>(attributes);
  std::uint8_t* q = p + kAttributesOffset + 1;
  if (magic != kMagicV0) {
    store_be64(q, timestamp);
    q += 8;
  }
  for (const NullableBytes& field : {key, value}) {
    if (!field) {
      store_be32(q, -1);
      q += 4;
      continue;
    }
    store_be32(q, static_cast<std::int32_t>(field->size()));
    q += 4;
    if (!field->empty()) std::copy(field->begin(), field->end(), q);
    q += field->size();
  }
  const std::uint32_t crc = crc32_ieee(BytesView(p + kMagicOffset, size - 4));
  store_be32(p + kCrcOffset, static_cast<std::int32_t>(crc));
  return {};
}

// --- xxHash32 and the LZ4 frame header ----------------------------------------

namespace {

constexpr std::uint32_t kPrime1 = 2654435761U;
constexpr std::uint32_t kPrime2 = 2246822519U;
constexpr std::uint32_t kPrime3 = 3266489917U;
constexpr std::uint32_t kPrime4 = 668265263U;
constexpr std::uint32_t kPrime5 = 374761393U;

std::uint32_t load_le32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

std::uint32_t xxh_round(std::uint32_t acc, std::uint32_t lane) {
  return std::rotl(acc + lane * kPrime2, 13) * kPrime1;
}

constexpr std::uint32_t kLz4FrameMagic = 0x184D2204;  // little-endian on the wire
constexpr std::uint8_t kFlagContentSize = 0x08;
constexpr std::uint8_t kFlagDictId = 0x01;

}  // namespace

std::uint32_t xxh32(BytesView data) {
  const std::uint8_t* p = data.data();
  const std::uint8_t* const end = p + data.size();
  std::uint32_t h;
  if (data.size() >= 16) {
    std::uint32_t v1 = kPrime1 + kPrime2;
    std::uint32_t v2 = kPrime2;
    std::uint32_t v3 = 0;
    std::uint32_t v4 = 0U - kPrime1;
    while (end - p >= 16) {
      v1 = xxh_round(v1, load_le32(p));
      v2 = xxh_round(v2, load_le32(p + 4));
      v3 = xxh_round(v3, load_le32(p + 8));
      v4 = xxh_round(v4, load_le32(p + 12));
      p += 16;
    }
    h = std::rotl(v1, 1) + std::rotl(v2, 7) + std::rotl(v3, 12) + std::rotl(v4, 18);
  } else {
    h = kPrime5;
  }
  h += static_cast<std::uint32_t>(data.size());
  while (end - p >= 4) {
    h = std::rotl(h + load_le32(p) * kPrime3, 17) * kPrime4;
    p += 4;
  }
  while (p < end) {
    h = std::rotl(h + *p * kPrime5, 11) * kPrime1;
    ++p;
  }
  h ^= h >> 15;
  h *= kPrime2;
  h ^= h >> 13;
  h *= kPrime3;
  h ^= h >> 16;
  return h;
}

bool set_lz4_header_checksum(std::span<std::uint8_t> frame, Lz4HeaderChecksum kind) {
  // magic(4) FLG BD [content size 8] [dict id 4] HC
  if (frame.size() < 7 || load_le32(frame.data()) != kLz4FrameMagic) return false;
  const std::uint8_t flags = frame[4];
  std::size_t descriptor = 2;
  if (flags & kFlagContentSize) descriptor += 8;
  if (flags & kFlagDictId) descriptor += 4;
  if (frame.size() < 4 + descriptor + 1) return false;
  const BytesView hashed = kind == Lz4HeaderChecksum::correct
                               ? BytesView(frame.data() + 4, descriptor)
                               : BytesView(frame.data(), 4 + descriptor);
  frame[4 + descriptor] = static_cast<std::uint8_t>((xxh32(hashed) >> 8) & 0xFF);
  return true;
}

}  // namespace legacy
}  // namespace conveyor::protocol
