#pragma once
// Test support for the legacy message set tests: a writer of magic 0/1
// messages of the tests' own (CRC-32 from zlib), a parser of the tests' own
// for down-converted output, and readers of the v2 result. Independent of
// src/protocol/legacy_message_set*.cc on purpose, so that neither side checks
// itself.

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "conveyor/protocol/compression.h"
#include "conveyor/protocol/legacy_message_set.h"
#include "conveyor/protocol/record_batch.h"

namespace conveyor::protocol::legacy_test {

using Bytes = std::vector<std::uint8_t>;
using OptString = std::optional<std::string>;

constexpr std::size_t kMax = 8 << 20;
constexpr CompressionType kLegacyCodecs[] = {CompressionType::gzip, CompressionType::snappy,
                                             CompressionType::lz4};
constexpr CompressionType kAllLegacyCodecs[] = {CompressionType::none, CompressionType::gzip,
                                                CompressionType::snappy, CompressionType::lz4};

inline BytesView bytes_of(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}
inline std::string text_of(BytesView bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}
inline OptString opt_text(NullableBytes bytes) {
  return bytes ? OptString(text_of(*bytes)) : std::nullopt;
}
inline NullableBytes opt_bytes(const OptString& text) {
  return text ? NullableBytes(bytes_of(*text)) : std::nullopt;
}

inline void put_be(Bytes& out, std::uint64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
inline std::uint64_t get_be(const std::uint8_t* p, int width) {
  std::uint64_t v = 0;
  for (int i = 0; i < width; ++i) v = (v << 8) | p[i];
  return v;
}

inline std::uint32_t zlib_crc(const std::uint8_t* data, std::size_t size) {
  return static_cast<std::uint32_t>(crc32(crc32(0L, Z_NULL, 0), data, static_cast<uInt>(size)));
}

// --- The test's own legacy message writer ------------------------------------

struct Msg {
  std::int8_t magic = 1;
  std::int64_t offset = 0;
  std::int8_t attributes = 0;
  std::int64_t timestamp = -1;
  OptString key;
  OptString value;
};

inline void put_field(Bytes& out, const OptString& field) {
  if (!field) {
    put_be(out, 0xFFFFFFFFU, 4);
    return;
  }
  put_be(out, field->size(), 4);
  out.insert(out.end(), field->begin(), field->end());
}

// One entry; message_size and CRC computed unless overridden.
inline Bytes encode(const Msg& m, std::optional<std::int32_t> size_override = std::nullopt) {
  Bytes body;  // magic .. end
  body.push_back(static_cast<std::uint8_t>(m.magic));
  body.push_back(static_cast<std::uint8_t>(m.attributes));
  if (m.magic == 1) put_be(body, static_cast<std::uint64_t>(m.timestamp), 8);
  put_field(body, m.key);
  put_field(body, m.value);
  Bytes out;
  put_be(out, static_cast<std::uint64_t>(m.offset), 8);
  put_be(out,
         static_cast<std::uint32_t>(
             size_override.value_or(static_cast<std::int32_t>(body.size() + 4))),
         4);
  put_be(out, zlib_crc(body.data(), body.size()), 4);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

inline Bytes encode_all(const std::vector<Msg>& messages) {
  Bytes out;
  for (const Msg& m : messages) {
    const Bytes one = encode(m);
    out.insert(out.end(), one.begin(), one.end());
  }
  return out;
}

// A wrapper of `codec` around `inner` (an encoded message set).
inline Msg wrapper(std::int8_t magic, CompressionType codec, const Bytes& inner,
                   std::int64_t offset = 0, std::int64_t timestamp = -1,
                   std::int8_t extra_attributes = 0) {
  auto compressed = compress(codec, inner);
  EXPECT_TRUE(compressed.ok());
  Msg w;
  w.magic = magic;
  w.offset = offset;
  w.attributes = static_cast<std::int8_t>(static_cast<std::int8_t>(codec) | extra_attributes);
  w.timestamp = timestamp;
  w.value = std::string(compressed->begin(), compressed->end());
  return w;
}

inline std::vector<Msg> sample(std::int8_t magic, int count,
                               std::int64_t first_timestamp = 1700000000000) {
  std::vector<Msg> out;
  for (int i = 0; i < count; ++i) {
    Msg m;
    m.magic = magic;
    m.offset = i;
    m.timestamp = magic == 1 ? first_timestamp + i : -1;
    m.key = i == 1 ? OptString() : OptString("key-" + std::to_string(i));
    m.value = i == 2   ? OptString("")
              : i == 3 ? OptString()
                       : OptString("value-" + std::to_string(i) + " lorem ipsum");
    out.push_back(m);
  }
  return out;
}

// --- Reading the v2 result ----------------------------------------------------

struct Rec {
  std::int64_t offset;
  std::int64_t timestamp;
  OptString key;
  OptString value;
  bool operator==(const Rec&) const = default;
};

inline std::ostream& operator<<(std::ostream& os, const Rec& r) {
  return os << "{" << r.offset << " ts=" << r.timestamp << " key=" << r.key.value_or("<null>")
            << " value=" << r.value.value_or("<null>") << "}";
}

inline std::vector<Rec> read_v2(const Bytes& batch, CompressionType expected_codec) {
  ReadOptions options;
  options.max_decompressed = kMax;
  auto read = RecordBatch::read(batch, options);
  EXPECT_TRUE(read.ok()) << (read.ok() ? "" : to_string(read.error()));
  if (!read.ok()) return {};
  EXPECT_EQ(read->header().compression(), expected_codec);
  EXPECT_EQ(read->header().base_offset, 0);
  EXPECT_EQ(read->header().timestamp_type(), TimestampType::create_time);
  EXPECT_TRUE(validate_batch(batch, kMax).ok());
  std::vector<Rec> out;
  for (const Record& r : read->records()) {
    out.push_back({read->offset_of(r), read->timestamp_of(r), opt_text(r.key), opt_text(r.value)});
    EXPECT_TRUE(r.headers.empty());
  }
  return out;
}

inline std::vector<Rec> expected_of(const std::vector<Msg>& messages,
                                    std::int64_t first_offset = 0) {
  std::vector<Rec> out;
  for (const Msg& m : messages) {
    out.push_back({first_offset + static_cast<std::int64_t>(out.size()),
                   m.magic == 1 ? m.timestamp : -1, m.key, m.value});
  }
  return out;
}

// --- The test's own legacy parser (for down-converted output) ----------------

struct Parsed {
  std::int8_t magic;
  std::int64_t offset;  // absolute
  std::int8_t attributes;
  std::int64_t timestamp;
  OptString key;
  OptString value;
  std::int8_t wrapper_codec = 0;
  bool wrapper_log_append_time = false;
  std::int64_t wrapper_timestamp = -1;
};

struct RawEntry {
  std::int64_t offset;
  std::int8_t magic;
  std::int8_t attributes;
  std::int64_t timestamp;
  OptString key;
  OptString value;
};

inline std::vector<RawEntry> parse_flat(BytesView bytes) {
  std::vector<RawEntry> out;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    EXPECT_GE(bytes.size() - pos, 12U + 14U);
    if (bytes.size() - pos < 26) return out;
    const std::uint8_t* p = bytes.data() + pos;
    RawEntry e{};
    e.offset = static_cast<std::int64_t>(get_be(p, 8));
    const auto size = static_cast<std::size_t>(get_be(p + 8, 4));
    EXPECT_LE(12 + size, bytes.size() - pos);
    if (12 + size > bytes.size() - pos) return out;
    EXPECT_EQ(get_be(p + 12, 4), zlib_crc(p + 16, size - 4)) << "CRC at " << pos;
    e.magic = static_cast<std::int8_t>(p[16]);
    e.attributes = static_cast<std::int8_t>(p[17]);
    std::size_t q = 18;
    e.timestamp = -1;
    if (e.magic == 1) {
      e.timestamp = static_cast<std::int64_t>(get_be(p + q, 8));
      q += 8;
    }
    for (OptString* field : {&e.key, &e.value}) {
      const auto len = static_cast<std::int32_t>(get_be(p + q, 4));
      q += 4;
      if (len >= 0) {
        *field = std::string(reinterpret_cast<const char*>(p + q), static_cast<std::size_t>(len));
        q += static_cast<std::size_t>(len);
      }
    }
    EXPECT_EQ(q, 12 + size) << "fields disagree with message_size at " << pos;
    out.push_back(e);
    pos += 12 + size;
  }
  return out;
}

// Flattens wrappers: magic-1 inner offsets are relative to the wrapper's last.
inline std::vector<Parsed> parse_legacy(BytesView bytes) {
  std::vector<Parsed> out;
  for (const RawEntry& e : parse_flat(bytes)) {
    const int codec = e.attributes & 7;
    if (codec == 0) {
      out.push_back({e.magic, e.offset, e.attributes, e.timestamp, e.key, e.value});
      continue;
    }
    EXPECT_FALSE(e.key.has_value());
    EXPECT_TRUE(e.value.has_value());
    Bytes payload(e.value->begin(), e.value->end());
    if (codec == 3 && e.magic == 0) {
      // KAFKA-3160: the header checksum of magic-0 LZ4 covers the frame magic.
      Bytes broken = payload;
      EXPECT_TRUE(legacy::set_lz4_header_checksum(broken, legacy::Lz4HeaderChecksum::kafka_3160));
      EXPECT_EQ(broken, payload) << "magic-0 LZ4 must carry the KAFKA-3160 header checksum";
      EXPECT_TRUE(legacy::set_lz4_header_checksum(payload, legacy::Lz4HeaderChecksum::correct));
    }
    auto inner = decompress(static_cast<CompressionType>(codec), payload, kMax);
    EXPECT_TRUE(inner.ok());
    if (!inner.ok()) continue;
    const auto entries = parse_flat(*inner);
    EXPECT_FALSE(entries.empty());
    if (entries.empty()) continue;
    const std::int64_t base = e.magic == 1 ? e.offset - entries.back().offset : 0;
    for (const RawEntry& i : entries) {
      EXPECT_EQ(i.magic, e.magic);
      EXPECT_EQ(i.attributes & 7, 0);
      out.push_back({i.magic, base + i.offset, i.attributes, i.timestamp, i.key, i.value,
                     static_cast<std::int8_t>(codec), (e.attributes & 8) != 0, e.timestamp});
    }
    if (e.magic == 1) {
      EXPECT_EQ(entries.front().offset, 0) << "relative offsets start at 0";
    }
  }
  return out;
}

// --- Helpers for v2 input -------------------------------------------------------

struct V2Rec {
  std::int64_t timestamp;
  OptString key;
  OptString value;
};

inline std::vector<V2Rec> v2_sample(int count, std::int64_t ts = 1700000001000) {
  std::vector<V2Rec> out;
  for (int i = 0; i < count; ++i) {
    out.push_back({ts + i * 7, i == 2 ? OptString() : OptString("k" + std::to_string(i)),
                   i == 4 ? OptString()
                          : OptString("value " + std::to_string(i) + " lorem ipsum lorem ipsum")});
  }
  return out;
}

inline Bytes build_v2(const std::vector<V2Rec>& records, CompressionType codec,
                      std::int64_t base_offset,
                      std::optional<std::int64_t> log_append_time = std::nullopt) {
  const RecordHeader header{"h", bytes_of("header-value")};
  RecordBatchBuilder builder;
  builder.set_base_offset(base_offset).set_compression(codec).set_partition_leader_epoch(3);
  for (const V2Rec& r : records)
    builder.add(r.timestamp, opt_bytes(r.key), opt_bytes(r.value), {&header, 1});
  if (log_append_time) builder.set_log_append_time(*log_append_time);
  auto built = builder.build();
  EXPECT_TRUE(built.ok());
  return built.ok() ? *built : Bytes{};
}

inline Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

}  // namespace conveyor::protocol::legacy_test
