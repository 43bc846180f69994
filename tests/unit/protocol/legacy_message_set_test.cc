// Legacy message sets (magic 0 and 1): the building blocks, up-conversion
// to record batch v2 for Produce v0-v2 and its bad input (an error value,
// never a crash), and kafka-python's bytes (tests/golden/data/legacy) as the
// real-client check. Down-conversion is in legacy_downconvert_test.cc; the
// message writer and parser of the tests' own in legacy_test_support.h.

#include "conveyor/protocol/legacy_message_set.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "legacy_test_support.h"

namespace conveyor::protocol {
namespace {

using namespace legacy_test;  // NOLINT(google-build-using-namespace): test helpers

// --- Building blocks --------------------------------------------------------------

TEST(LegacyBlocks, RecordsMagicReadsByte16) {
  EXPECT_FALSE(records_magic({}).has_value());
  EXPECT_FALSE(records_magic(Bytes(16, 0)).has_value());
  EXPECT_EQ(records_magic(encode_all(sample(0, 1))), 0);
  EXPECT_EQ(records_magic(encode_all(sample(1, 1))), 1);
  EXPECT_EQ(records_magic(build_v2(v2_sample(1), CompressionType::none, 0)), 2);
}

TEST(LegacyBlocks, Xxh32MatchesReferenceVectors) {
  EXPECT_EQ(legacy::xxh32(bytes_of("")), 0x02CC5D05U);
  EXPECT_EQ(legacy::xxh32(bytes_of("a")), 0x550D7456U);
  EXPECT_EQ(legacy::xxh32(bytes_of("abc")), 0x32D153FFU);
  EXPECT_EQ(legacy::xxh32(bytes_of("0123456789abcdef")), 0xC2C45B69U);
  EXPECT_EQ(legacy::xxh32(bytes_of("Nobody inspects the spammish repetition")), 0xE2293B2FU);
}

TEST(LegacyBlocks, Lz4HeaderChecksumAgreesWithLiblz4) {
  auto frame = compress(CompressionType::lz4, bytes_of("some text some text some text"));
  ASSERT_TRUE(frame.ok());
  Bytes copy = *frame;
  ASSERT_TRUE(legacy::set_lz4_header_checksum(copy, legacy::Lz4HeaderChecksum::correct));
  EXPECT_EQ(copy, *frame);
  ASSERT_TRUE(legacy::set_lz4_header_checksum(copy, legacy::Lz4HeaderChecksum::kafka_3160));
  EXPECT_NE(copy, *frame);  // the broken checksum differs for this header
  EXPECT_FALSE(decompress(CompressionType::lz4, copy, kMax).ok());
  EXPECT_FALSE(legacy::set_lz4_header_checksum(std::span<std::uint8_t>(copy.data(), 6),
                                               legacy::Lz4HeaderChecksum::correct));
  Bytes not_lz4(16, 0);
  EXPECT_FALSE(legacy::set_lz4_header_checksum(not_lz4, legacy::Lz4HeaderChecksum::correct));
}

TEST(LegacyBlocks, AppendMessageIsReadBackByTheTestParser) {
  Bytes out;
  ASSERT_TRUE(legacy::append_message(out, 1, 42, 0, 1234, bytes_of("k"), std::nullopt).ok());
  ASSERT_TRUE(legacy::append_message(out, 0, 43, 0, 999, std::nullopt, bytes_of("v")).ok());
  const auto parsed = parse_legacy(out);
  ASSERT_EQ(parsed.size(), 2U);
  EXPECT_EQ(parsed[0].offset, 42);
  EXPECT_EQ(parsed[0].timestamp, 1234);
  EXPECT_EQ(parsed[0].key, OptString("k"));
  EXPECT_FALSE(parsed[0].value.has_value());
  EXPECT_EQ(parsed[1].magic, 0);
  EXPECT_EQ(parsed[1].timestamp, -1);
  EXPECT_EQ(parsed[1].value, OptString("v"));
  EXPECT_EQ(out, concat({encode({1, 42, 0, 1234, "k", std::nullopt}),
                         encode({0, 43, 0, -1, std::nullopt, "v"})}));
}

// --- Up-conversion --------------------------------------------------------------

TEST(Upconvert, UncompressedMagic0HasNoTimestamps) {
  const auto messages = sample(0, 6);
  auto batch = upconvert_message_set(encode_all(messages), 1700000009999, kMax);
  ASSERT_TRUE(batch.ok()) << to_string(batch.error());
  EXPECT_EQ(read_v2(*batch, CompressionType::none), expected_of(messages));
}

TEST(Upconvert, UncompressedMagic1KeepsTimestampsAndIgnoresOffsets) {
  auto messages = sample(1, 6);
  for (auto& m : messages) m.offset = 1000 + m.offset * 3;  // whatever the client wrote
  auto batch = upconvert_message_set(encode_all(messages), 0, kMax);
  ASSERT_TRUE(batch.ok()) << to_string(batch.error());
  EXPECT_EQ(read_v2(*batch, CompressionType::none), expected_of(messages));
}

TEST(Upconvert, WrappersKeepTheirCodec) {
  for (const std::int8_t magic : {0, 1}) {
    for (const CompressionType codec : kLegacyCodecs) {
      SCOPED_TRACE("magic " + std::to_string(magic) + " codec " +
                   std::to_string(static_cast<int>(codec)));
      const auto messages = sample(magic, 8);
      const Msg w = wrapper(magic, codec, encode_all(messages), 7, magic == 1 ? 1700000000007 : -1);
      auto batch = upconvert_message_set(encode(w), 0, kMax);
      ASSERT_TRUE(batch.ok()) << to_string(batch.error());
      EXPECT_EQ(read_v2(*batch, codec), expected_of(messages));
    }
  }
}

TEST(Upconvert, LogAppendTimeWrapperGivesItsTimestampToInnerMessages) {
  const auto messages = sample(1, 3);
  const Msg w = wrapper(1, CompressionType::gzip, encode_all(messages), 2, 1800000000000,
                        legacy::kTimestampTypeBit);
  auto batch = upconvert_message_set(encode(w), 0, kMax);
  ASSERT_TRUE(batch.ok());
  for (const Rec& r : read_v2(*batch, CompressionType::gzip)) EXPECT_EQ(r.timestamp, 1800000000000);
}

TEST(Upconvert, MixedEntriesKeepOrder) {
  const auto plain = sample(1, 2);
  auto zipped = sample(1, 3, 1700000005000);
  const auto old = sample(0, 2);
  const Bytes set =
      concat({encode_all(plain), encode(wrapper(1, CompressionType::gzip, encode_all(zipped))),
              encode_all(old)});
  auto batch = upconvert_message_set(set, 0, kMax);
  ASSERT_TRUE(batch.ok()) << to_string(batch.error());
  std::vector<Msg> all = plain;
  all.insert(all.end(), zipped.begin(), zipped.end());
  all.insert(all.end(), old.begin(), old.end());
  EXPECT_EQ(read_v2(*batch, CompressionType::gzip), expected_of(all));
}

TEST(Upconvert, EmptySetGivesNoBytes) {
  auto batch = upconvert_message_set({}, 0, kMax);
  ASSERT_TRUE(batch.ok());
  EXPECT_TRUE(batch->empty());
}

void expect_upconvert_error(const Bytes& set, BatchError expected, std::size_t max = kMax) {
  auto batch = upconvert_message_set(set, 0, max);
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.error(), expected) << to_string(batch.error());
}

TEST(UpconvertErrors, CorruptCrc) {
  Bytes set = encode_all(sample(1, 3));
  set.back() ^= 0x01;
  expect_upconvert_error(set, BatchError::bad_crc);
  Bytes crc_only = encode_all(sample(0, 1));
  crc_only[12] ^= 0x80;
  expect_upconvert_error(crc_only, BatchError::bad_crc);
}

TEST(UpconvertErrors, CorruptInnerCrc) {
  Bytes inner = encode_all(sample(1, 3));
  inner[30] ^= 0x01;
  expect_upconvert_error(encode(wrapper(1, CompressionType::gzip, inner)), BatchError::bad_crc);
}

TEST(UpconvertErrors, EveryTruncationInsideAnEntryIsAnError) {
  const auto plain = sample(1, 2);
  const Bytes first = encode(plain[0]);
  const Bytes second = encode(plain[1]);
  const Bytes zipped = encode(wrapper(1, CompressionType::snappy, encode_all(sample(1, 3))));
  const Bytes set = concat({first, second, zipped});
  const std::size_t boundaries[] = {first.size(), first.size() + second.size()};
  for (std::size_t n = 1; n < set.size(); ++n) {
    auto batch = upconvert_message_set(BytesView(set.data(), n), 0, kMax);
    if (n == boundaries[0] || n == boundaries[1]) {
      EXPECT_TRUE(batch.ok()) << n;  // whole entries
    } else {
      ASSERT_FALSE(batch.ok()) << n;
      EXPECT_EQ(batch.error(), BatchError::truncated) << n;
    }
  }
}

TEST(UpconvertErrors, SizesOutOfRange) {
  Msg m = sample(1, 1)[0];
  expect_upconvert_error(encode(m, 0x7FFFFFFF), BatchError::truncated);
  expect_upconvert_error(encode(m, -5), BatchError::bad_length);
  expect_upconvert_error(encode(m, 13), BatchError::bad_length);
  Msg m0 = sample(0, 1)[0];
  m0.key.reset();
  m0.value.reset();
  EXPECT_TRUE(upconvert_message_set(encode(m0), 0, kMax).ok());  // 14 bytes: the magic-0 minimum
  m.key.reset();
  m.value.reset();
  // A magic-1 message cut to the magic-0 minimum (CRC made to match).
  Bytes short_v1 = encode(m);
  short_v1.resize(12 + 14);
  short_v1[8] = 0;
  short_v1[9] = 0;
  short_v1[10] = 0;
  short_v1[11] = 14;
  const std::uint32_t crc = zlib_crc(short_v1.data() + 16, 10);
  for (int i = 0; i < 4; ++i) short_v1[12 + i] = static_cast<std::uint8_t>(crc >> (24 - 8 * i));
  expect_upconvert_error(short_v1, BatchError::bad_length);
}

// A message whose body (CRC valid) has lengths that disagree with its size.
Bytes with_body(std::int8_t magic, const Bytes& after_attributes) {
  Bytes body = {static_cast<std::uint8_t>(magic), 0};
  if (magic == 1) put_be(body, 0, 8);
  body.insert(body.end(), after_attributes.begin(), after_attributes.end());
  Bytes out;
  put_be(out, 0, 8);
  put_be(out, body.size() + 4, 4);
  put_be(out, zlib_crc(body.data(), body.size()), 4);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

TEST(UpconvertErrors, LengthsThatDisagreeWithTheSize) {
  Bytes fields;
  put_be(fields, 0x7FFFFFF0U, 4);  // key length far beyond the message
  put_be(fields, 0xFFFFFFFFU, 4);
  expect_upconvert_error(with_body(1, fields), BatchError::bad_records);
  fields.clear();
  put_be(fields, 0xFFFFFFFEU, 4);  // key length -2
  put_be(fields, 0xFFFFFFFFU, 4);
  expect_upconvert_error(with_body(0, fields), BatchError::bad_records);
  fields.clear();
  put_be(fields, 0xFFFFFFFFU, 4);
  put_be(fields, 0xFFFFFFFFU, 4);
  fields.push_back(0);  // a byte after the value
  expect_upconvert_error(with_body(1, fields), BatchError::bad_records);
}

TEST(UpconvertErrors, BadMagic) {
  Msg m = sample(1, 1)[0];
  m.magic = 2;
  expect_upconvert_error(encode(m), BatchError::bad_magic);
  // An inner magic that differs from the wrapper's.
  expect_upconvert_error(encode(wrapper(1, CompressionType::gzip, encode_all(sample(0, 2)))),
                         BatchError::bad_magic);
  // A v2 batch is not a message set.
  EXPECT_FALSE(
      upconvert_message_set(build_v2(v2_sample(2), CompressionType::none, 0), 0, kMax).ok());
}

TEST(UpconvertErrors, BadWrappers) {
  // Nested wrapper.
  const Msg inner_wrapper = wrapper(1, CompressionType::gzip, encode_all(sample(1, 2)));
  expect_upconvert_error(encode(wrapper(1, CompressionType::gzip, encode(inner_wrapper))),
                         BatchError::bad_records);
  // Null value, empty inner set.
  Msg null_wrapper = sample(1, 1)[0];
  null_wrapper.attributes = 1;
  null_wrapper.value.reset();
  expect_upconvert_error(encode(null_wrapper), BatchError::bad_records);
  expect_upconvert_error(encode(wrapper(1, CompressionType::gzip, Bytes{})),
                         BatchError::bad_records);
  // zstd (no such codec below magic 2) and codecs 5-7.
  for (const std::int8_t codec : {4, 5, 7}) {
    Msg w = sample(1, 1)[0];
    w.attributes = codec;
    expect_upconvert_error(encode(w), BatchError::bad_compression);
  }
  // A payload that is not gzip.
  Msg garbage = sample(0, 1)[0];
  garbage.attributes = 1;
  garbage.value = "definitely not a gzip stream";
  expect_upconvert_error(encode(garbage), BatchError::bad_compression);
  // Inner bytes that are not a message set.
  Msg junk = wrapper(1, CompressionType::gzip, Bytes(40, 0xAB));
  EXPECT_FALSE(upconvert_message_set(encode(junk), 0, kMax).ok());
}

TEST(UpconvertErrors, DecompressionBombsStopAtTheBound) {
  Msg big = sample(1, 1)[0];
  big.value = std::string(4 << 20, 'z');
  const Msg bomb = wrapper(1, CompressionType::gzip, encode(big));
  EXPECT_LT(encode(bomb).size(), 64U << 10);
  expect_upconvert_error(encode(bomb), BatchError::too_large, 1 << 20);
  EXPECT_TRUE(upconvert_message_set(encode(bomb), 0, 5 << 20).ok());
  // Many wrappers, each under the bound, together over it.
  Msg medium = sample(1, 1)[0];
  medium.value = std::string(300 << 10, 'y');
  const Bytes one = encode(wrapper(1, CompressionType::lz4, encode(medium)));
  const Bytes four = concat({one, one, one, one});
  EXPECT_TRUE(upconvert_message_set(one, 0, 1 << 20).ok());
  expect_upconvert_error(four, BatchError::too_large, 1 << 20);
  // Nesting does not multiply anything: a wrapper inside is refused.
  const Msg nested = wrapper(1, CompressionType::gzip, encode(bomb));
  EXPECT_FALSE(upconvert_message_set(encode(nested), 0, 1 << 20).ok());
}

TEST(UpconvertErrors, RandomMutationsNeverCrash) {
  const Bytes base = concat({encode_all(sample(1, 3)),
                             encode(wrapper(1, CompressionType::gzip, encode_all(sample(1, 4)))),
                             encode(wrapper(0, CompressionType::lz4, encode_all(sample(0, 2))))});
  ASSERT_TRUE(upconvert_message_set(base, 0, kMax).ok());
  std::mt19937 rng(7);
  for (int round = 0; round < 3000; ++round) {
    Bytes mutated = base;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < flips; ++i)
      mutated[rng() % mutated.size()] = static_cast<std::uint8_t>(rng());
    if (rng() % 3 == 0) mutated.resize(rng() % mutated.size());
    (void)upconvert_message_set(mutated, 0, 1 << 20);
  }
}

// --- Golden bytes from kafka-python (tests/golden/capture/legacy_message_sets.py)

#ifdef CONVEYOR_GOLDEN_LEGACY_DIR

struct Cursor {
  const Bytes& bytes;
  std::size_t pos = 0;
  std::uint64_t take(int width) {
    EXPECT_LE(pos + static_cast<std::size_t>(width), bytes.size());
    if (pos + static_cast<std::size_t>(width) > bytes.size()) return 0;
    const std::uint64_t v = get_be(bytes.data() + pos, width);
    pos += static_cast<std::size_t>(width);
    return v;
  }
  void skip(std::size_t n) { pos += n; }
};

// The records of the only partition of a Produce v0-v2 request frame (header
// v1: api key, version, correlation id, client id; then acks, timeout, one
// topic with one partition).
Bytes message_set_of_frame(const Bytes& frame, int version) {
  Cursor c{frame};
  EXPECT_EQ(c.take(2), 0U);  // Produce
  EXPECT_EQ(c.take(2), static_cast<std::uint64_t>(version));
  c.take(4);
  c.skip(c.take(2));  // client id
  c.take(2);          // acks
  c.take(4);          // timeout
  EXPECT_EQ(c.take(4), 1U);
  c.skip(c.take(2));  // topic
  EXPECT_EQ(c.take(4), 1U);
  EXPECT_EQ(c.take(4), 0U);  // partition
  const auto size = static_cast<std::size_t>(c.take(4));
  EXPECT_EQ(c.pos + size, frame.size());
  if (c.pos + size != frame.size()) return {};
  return Bytes(frame.begin() + static_cast<std::ptrdiff_t>(c.pos), frame.end());
}

Bytes read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(LegacyGolden, KafkaPythonMessageSetsUpconvert) {
  const std::pair<const char*, CompressionType> codecs[] = {{"none", CompressionType::none},
                                                            {"gzip", CompressionType::gzip},
                                                            {"snappy", CompressionType::snappy},
                                                            {"lz4", CompressionType::lz4}};
  for (const int magic : {0, 1}) {
    for (const auto& [name, codec] : codecs) {
      const std::string file = "produce_v" + std::to_string(magic + 1) +
                               "_kafkapython_legacy_magic" + std::to_string(magic) + "_" + name +
                               ".bin";
      SCOPED_TRACE(file);
      const Bytes set = message_set_of_frame(
          read_file(std::filesystem::path(CONVEYOR_GOLDEN_LEGACY_DIR) / file), magic + 1);
      ASSERT_FALSE(set.empty());
      EXPECT_EQ(records_magic(set), magic);
      if (codec == CompressionType::lz4 && magic == 0) {
        // kafka-python writes the KAFKA-3160 header checksum for magic 0.
        const auto flat = parse_flat(set);
        ASSERT_EQ(flat.size(), 1U);
        Bytes payload(flat[0].value->begin(), flat[0].value->end());
        Bytes broken = payload;
        ASSERT_TRUE(legacy::set_lz4_header_checksum(broken, legacy::Lz4HeaderChecksum::kafka_3160));
        EXPECT_EQ(broken, payload);
        EXPECT_FALSE(decompress(CompressionType::lz4, payload, kMax).ok());
      }
      auto batch = upconvert_message_set(set, 0, kMax);
      ASSERT_TRUE(batch.ok()) << to_string(batch.error());
      const auto records = read_v2(*batch, codec);
      ASSERT_EQ(records.size(), 10U);
      for (int i = 0; i < 10; ++i) {
        const Rec& r = records[static_cast<std::size_t>(i)];
        EXPECT_EQ(r.offset, i);
        EXPECT_EQ(r.timestamp, magic == 1 ? 1700000000000 + i : -1);
        EXPECT_EQ(r.key, i == 3 ? OptString() : OptString("key-" + std::to_string(i)));
        std::string filler;
        for (int j = 0; j < 8; ++j) filler += "lorem ipsum ";
        EXPECT_EQ(r.value,
                  i == 5 ? OptString("") : OptString("value-" + std::to_string(i) + " " + filler));
      }
      // And back down: the same messages as the client's, every CRC valid.
      auto down = downconvert_batches(*batch, static_cast<std::int8_t>(magic), 0, kMax);
      ASSERT_TRUE(down.ok());
      const auto parsed = parse_legacy(*down);
      ASSERT_EQ(parsed.size(), 10U);
      if (codec == CompressionType::none) {
        EXPECT_EQ(*down, set);  // byte-identical
      }
    }
  }
}

#endif  // CONVEYOR_GOLDEN_LEGACY_DIR

}  // namespace
}  // namespace conveyor::protocol
