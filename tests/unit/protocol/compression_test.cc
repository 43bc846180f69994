// Compression codecs: round trips, vectors written by other implementations
// (Python's gzip, python-snappy wrapped in xerial framing, python-lz4,
// python-zstandard), decompression bombs against the bound, and garbage.

#include "conveyor/protocol/compression.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace conveyor::protocol {
namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr CompressionType kCodecs[] = {CompressionType::none, CompressionType::gzip,
                                       CompressionType::snappy, CompressionType::lz4,
                                       CompressionType::zstd};
constexpr CompressionType kRealCodecs[] = {CompressionType::gzip, CompressionType::snappy,
                                           CompressionType::lz4, CompressionType::zstd};

constexpr std::string_view kVectorText = "Conveyor test vector: hello hello hello hello kafka!\n";

Bytes text_bytes(std::string_view text) { return Bytes(text.begin(), text.end()); }

Bytes random_bytes(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  Bytes out(n);
  for (auto& b : out) b = static_cast<std::uint8_t>(rng());
  return out;
}

// Compressible but not trivial: words drawn from a small vocabulary.
Bytes texty_bytes(std::size_t n, std::uint32_t seed) {
  static constexpr std::string_view kWords[] = {"kafka ", "broker ", "offset ", "segment ", "fetch ",
                                                "produce ", "epoch ", "leader "};
  std::mt19937 rng(seed);
  Bytes out;
  out.reserve(n + 16);
  while (out.size() < n) {
    const auto word = kWords[rng() % 8];
    out.insert(out.end(), word.begin(), word.end());
  }
  out.resize(n);
  return out;
}

std::string name(CompressionType codec) {
  switch (codec) {
    case CompressionType::none: return "none";
    case CompressionType::gzip: return "gzip";
    case CompressionType::snappy: return "snappy";
    case CompressionType::lz4: return "lz4";
    case CompressionType::zstd: return "zstd";
  }
  return "?";
}

void expect_round_trip(CompressionType codec, const Bytes& input) {
  SCOPED_TRACE(name(codec) + " size " + std::to_string(input.size()));
  auto compressed = compress(codec, input);
  ASSERT_TRUE(compressed.ok());
  auto restored = decompress(codec, *compressed, input.size());
  ASSERT_TRUE(restored.ok()) << to_string(restored.error());
  EXPECT_EQ(*restored, input);
}

TEST(Compression, RoundTripsSmallLargeAndRandom) {
  for (const auto codec : kCodecs) {
    expect_round_trip(codec, text_bytes(kVectorText));
    expect_round_trip(codec, Bytes{0x42});
    expect_round_trip(codec, texty_bytes(100'000, 1));
    expect_round_trip(codec, random_bytes(70'000, 2));    // incompressible, > one block
    expect_round_trip(codec, texty_bytes(5'000'000, 3));  // many snappy/lz4 blocks
  }
}

TEST(Compression, RoundTripsEmptyPayload) {
  for (const auto codec : kCodecs) {
    SCOPED_TRACE(name(codec));
    auto compressed = compress(codec, Bytes{});
    ASSERT_TRUE(compressed.ok());
    auto restored = decompress(codec, *compressed, 0);
    ASSERT_TRUE(restored.ok()) << to_string(restored.error());
    EXPECT_TRUE(restored->empty());
  }
}

TEST(Compression, HonoursLevels) {
  const Bytes input = texty_bytes(200'000, 4);
  for (const auto codec : {CompressionType::gzip, CompressionType::lz4, CompressionType::zstd}) {
    SCOPED_TRACE(name(codec));
    auto fast = compress(codec, input, 1);
    auto strong = compress(codec, input, 9);
    ASSERT_TRUE(fast.ok() && strong.ok());
    EXPECT_LE(strong->size(), fast->size());
    auto restored = decompress(codec, *strong, input.size());
    ASSERT_TRUE(restored.ok());
    EXPECT_EQ(*restored, input);
  }
}

TEST(Compression, AppendKeepsExistingBytes) {
  const Bytes input = texty_bytes(10'000, 5);
  for (const auto codec : kRealCodecs) {
    SCOPED_TRACE(name(codec));
    Bytes compressed = {9, 9, 9};
    ASSERT_TRUE(compress_append(codec, input, compressed).ok());
    Bytes out = {7, 7};
    ASSERT_TRUE(decompress_append(codec, std::span(compressed).subspan(3), out, input.size()).ok());
    ASSERT_EQ(out.size(), input.size() + 2);
    EXPECT_EQ(out[0], 7);
    EXPECT_TRUE(std::equal(input.begin(), input.end(), out.begin() + 2));
    // A failure leaves `out` as it was.
    Bytes untouched = {1, 2, 3};
    EXPECT_FALSE(decompress_append(codec, std::span(compressed).subspan(3), untouched, 100).ok());
    EXPECT_EQ(untouched, (Bytes{1, 2, 3}));
  }
}

// --- Known vectors, produced by other implementations -----------------------

// gzip.compress(text, mtime=0) from Python 3.11.
const Bytes kGzipVector = {
    0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x73, 0xce, 0xcf, 0x2b, 0x4b, 0xad,
    0xcc, 0x2f, 0x52, 0x28, 0x49, 0x2d, 0x2e, 0x51, 0x28, 0x4b, 0x4d, 0x2e, 0xc9, 0x2f, 0xb2, 0x52,
    0xc8, 0x48, 0xcd, 0xc9, 0xc9, 0xc7, 0x42, 0x66, 0x27, 0xa6, 0x65, 0x27, 0x2a, 0x72, 0x01, 0x00,
    0x3e, 0x3f, 0x2b, 0x0f, 0x35, 0x00, 0x00, 0x00};

// xerial framing around python-snappy's snappy.compress(text): magic,
// version 1, compatible version 1, one block of 0x28 bytes.
const Bytes kXerialVector = {
    0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x28, 0x35, 0x68, 0x43, 0x6f, 0x6e, 0x76, 0x65, 0x79, 0x6f, 0x72, 0x20, 0x74,
    0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x3a, 0x20, 0x68, 0x65, 0x6c, 0x6c,
    0x6f, 0x4a, 0x06, 0x00, 0x18, 0x6b, 0x61, 0x66, 0x6b, 0x61, 0x21, 0x0a};

// The same block without framing (how librdkafka sends snappy).
const Bytes kRawSnappyVector = {
    0x35, 0x68, 0x43, 0x6f, 0x6e, 0x76, 0x65, 0x79, 0x6f, 0x72, 0x20, 0x74, 0x65, 0x73, 0x74, 0x20,
    0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x3a, 0x20, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x4a, 0x06, 0x00,
    0x18, 0x6b, 0x61, 0x66, 0x6b, 0x61, 0x21, 0x0a};

// lz4.frame.compress(text, block_size=MAX64KB, content_checksum=False,
// store_size=False) from python-lz4: Kafka's frame options.
const Bytes kLz4Vector = {
    0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82, 0x28, 0x00, 0x00, 0x00, 0xff, 0x0c, 0x43, 0x6f, 0x6e,
    0x76, 0x65, 0x79, 0x6f, 0x72, 0x20, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63, 0x74, 0x6f,
    0x72, 0x3a, 0x20, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x06, 0x00, 0x00, 0x70, 0x6b, 0x61, 0x66, 0x6b,
    0x61, 0x21, 0x0a, 0x00, 0x00, 0x00, 0x00};

// ZstdCompressor(write_content_size=False).compress(text): no content size,
// as a streaming Java producer writes it.
const Bytes kZstdVector = {
    0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00, 0x4d, 0x01, 0x00, 0x24, 0x02, 0x43, 0x6f, 0x6e, 0x76, 0x65,
    0x79, 0x6f, 0x72, 0x20, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x3a,
    0x20, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x6b, 0x61, 0x66, 0x6b, 0x61, 0x21, 0x0a, 0x01, 0x00, 0x27,
    0x29, 0x63};

// 4 MiB of zeros in 143 bytes, no content size: only streaming meets the bound.
const Bytes kZstdBombVector = {
    0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58, 0x54, 0x00, 0x00, 0x10, 0x00, 0x00, 0x01, 0x00, 0xfb, 0xff,
    0x39, 0xc0, 0x02, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02,
    0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02,
    0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02,
    0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02,
    0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02,
    0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02,
    0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02,
    0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x03, 0x00, 0x10, 0x00};

TEST(Compression, DecodesVectorsFromOtherImplementations) {
  const Bytes expected = text_bytes(kVectorText);
  const std::pair<CompressionType, const Bytes*> cases[] = {
      {CompressionType::gzip, &kGzipVector},       {CompressionType::snappy, &kXerialVector},
      {CompressionType::snappy, &kRawSnappyVector}, {CompressionType::lz4, &kLz4Vector},
      {CompressionType::zstd, &kZstdVector},
  };
  for (const auto& [codec, vector] : cases) {
    SCOPED_TRACE(name(codec));
    auto out = decompress(codec, *vector, 1 << 20);
    ASSERT_TRUE(out.ok()) << to_string(out.error());
    EXPECT_EQ(*out, expected);
    // The bound is inclusive: exactly the output size is enough, one less not.
    EXPECT_TRUE(decompress(codec, *vector, expected.size()).ok());
    auto tight = decompress(codec, *vector, expected.size() - 1);
    ASSERT_FALSE(tight.ok());
    EXPECT_EQ(tight.error(), CompressionError::too_large);
  }
}

TEST(Compression, SnappyWritesXerialFraming) {
  auto out = compress(CompressionType::snappy, text_bytes(kVectorText));
  ASSERT_TRUE(out.ok());
  // Same block as python-snappy; the framing is byte for byte the Java one.
  EXPECT_EQ(*out, kXerialVector);
}

TEST(Compression, SnappyBlocksAre32KiB) {
  const Bytes input = random_bytes(100'000, 6);
  auto out = compress(CompressionType::snappy, input);
  ASSERT_TRUE(out.ok());
  std::size_t pos = codec::kXerialHeaderSize;
  int blocks = 0;
  while (pos < out->size()) {
    pos += 4 + static_cast<std::size_t>(load_be32(out->data() + pos));
    ++blocks;
  }
  EXPECT_EQ(pos, out->size());
  EXPECT_EQ(blocks, 4);  // 3 x 32 KiB + the rest
}

TEST(Compression, Lz4WritesKafkaFrameOptions) {
  auto out = compress(CompressionType::lz4, text_bytes(kVectorText));
  ASSERT_TRUE(out.ok());
  ASSERT_GE(out->size(), 7u);
  EXPECT_EQ((*out)[0], 0x04);  // magic 0x184D2204, little-endian
  EXPECT_EQ((*out)[3], 0x18);
  // FLG: version 01, block independence, no block/content checksum, no size.
  EXPECT_EQ((*out)[4], 0x60);
  EXPECT_EQ((*out)[5], 0x40);  // BD: 64 KiB blocks
}

// --- Bounds ---------------------------------------------------------------

TEST(Compression, BombsHitTheBound) {
  const Bytes zeros(16 << 20, 0);
  for (const auto codec : kRealCodecs) {
    SCOPED_TRACE(name(codec));
    auto bomb = compress(codec, zeros);
    ASSERT_TRUE(bomb.ok());
    EXPECT_LT(bomb->size(), zeros.size() / 20);
    auto out = decompress(codec, *bomb, 1 << 20);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error(), CompressionError::too_large);
  }
}

TEST(Compression, ZstdBombWithoutContentSizeHitsTheBound) {
  auto out = decompress(CompressionType::zstd, kZstdBombVector, 1 << 20);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error(), CompressionError::too_large);
  auto whole = decompress(CompressionType::zstd, kZstdBombVector, 4 << 20);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->size(), std::size_t{4} << 20);
}

TEST(Compression, RawSnappyDeclaringHugeLengthIsRefusedBeforeAllocating) {
  // Preamble varint 0xFFFFFFFF0F (4 GiB - 1), then nothing.
  const Bytes lie = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x00};
  auto out = decompress(CompressionType::snappy, lie, 1 << 20);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error(), CompressionError::too_large);
}

TEST(Compression, XerialBlockLengthsAreChecked) {
  Bytes framed = kXerialVector;
  store_be32(framed.data() + 16, 0x7fffffff);  // longer than the input
  EXPECT_EQ(decompress(CompressionType::snappy, framed, 1 << 20).error(), CompressionError::corrupt);
  store_be32(framed.data() + 16, -5);
  EXPECT_EQ(decompress(CompressionType::snappy, framed, 1 << 20).error(), CompressionError::corrupt);
  store_be32(framed.data() + 16, 0);
  EXPECT_EQ(decompress(CompressionType::snappy, framed, 1 << 20).error(), CompressionError::corrupt);
  // Header cut short, and a dangling partial length after a good block.
  const Bytes short_header(kXerialVector.begin(), kXerialVector.begin() + 12);
  EXPECT_EQ(decompress(CompressionType::snappy, short_header, 1 << 20).error(), CompressionError::corrupt);
  Bytes dangling = kXerialVector;
  dangling.insert(dangling.end(), {0x00, 0x00});
  EXPECT_EQ(decompress(CompressionType::snappy, dangling, 1 << 20).error(), CompressionError::corrupt);
  // Header only: an empty stream.
  const Bytes header_only(kXerialVector.begin(), kXerialVector.begin() + 16);
  auto empty = decompress(CompressionType::snappy, header_only, 1 << 20);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(Compression, NoneIsBoundedToo) {
  const Bytes input(100, 1);
  EXPECT_EQ(decompress(CompressionType::none, input, 99).error(), CompressionError::too_large);
  EXPECT_TRUE(decompress(CompressionType::none, input, 100).ok());
}

TEST(Compression, UnknownCodecIsAnError) {
  const Bytes input(10, 1);
  EXPECT_EQ(decompress(static_cast<CompressionType>(5), input, 100).error(),
            CompressionError::unknown_codec);
  EXPECT_EQ(compress(static_cast<CompressionType>(7), input).error(), CompressionError::unknown_codec);
}

// --- Garbage and truncation -------------------------------------------------

TEST(Compression, GarbageIsCorruptNeverACrash) {
  for (const auto codec : kRealCodecs) {
    SCOPED_TRACE(name(codec));
    for (std::uint32_t seed = 0; seed < 200; ++seed) {
      const Bytes garbage = random_bytes(seed % 97 + (seed > 100 ? 3000 : 0), seed);
      auto out = decompress(codec, garbage, 1 << 20);
      // Random bytes might by chance be valid raw snappy; never a crash.
      if (!out.ok()) {
        EXPECT_TRUE(out.error() == CompressionError::corrupt || out.error() == CompressionError::too_large)
            << to_string(out.error());
      }
    }
    auto empty = decompress(codec, Bytes{}, 1 << 20);
    ASSERT_FALSE(empty.ok());
    EXPECT_EQ(empty.error(), CompressionError::corrupt);
  }
}

TEST(Compression, EveryTruncationIsAnError) {
  const Bytes input = texty_bytes(3000, 7);
  for (const auto codec : kRealCodecs) {
    SCOPED_TRACE(name(codec));
    auto full = compress(codec, input);
    ASSERT_TRUE(full.ok());
    for (std::size_t n = 0; n < full->size(); ++n) {
      auto out = decompress(codec, std::span(*full).first(n), 1 << 20);
      EXPECT_FALSE(out.ok() && *out == input) << "prefix " << n;
      if (codec != CompressionType::snappy) {
        // gzip, lz4 and zstd detect every truncation (trailers, end marks);
        // xerial snappy cut at a block boundary is a shorter valid stream.
        EXPECT_FALSE(out.ok()) << "prefix " << n;
      }
    }
  }
}

TEST(Compression, FlippedBytesNeverCrash) {
  const Bytes input = texty_bytes(20'000, 8);
  for (const auto codec : kRealCodecs) {
    SCOPED_TRACE(name(codec));
    auto full = compress(codec, input);
    ASSERT_TRUE(full.ok());
    std::mt19937 rng(9);
    for (int i = 0; i < 300; ++i) {
      Bytes damaged = *full;
      damaged[rng() % damaged.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
      auto out = decompress(codec, damaged, input.size() + 100);
      if (out.ok()) {
        EXPECT_LE(out->size(), input.size() + 100);
      }
    }
  }
}

TEST(Compression, ConcatenatedStreamsReadAsOne) {
  const Bytes a = texty_bytes(1000, 10);
  const Bytes b = texty_bytes(2000, 11);
  Bytes ab = a;
  ab.insert(ab.end(), b.begin(), b.end());
  for (const auto codec : {CompressionType::gzip, CompressionType::lz4, CompressionType::zstd}) {
    SCOPED_TRACE(name(codec));
    Bytes both;
    ASSERT_TRUE(compress_append(codec, a, both).ok());
    ASSERT_TRUE(compress_append(codec, b, both).ok());
    auto out = decompress(codec, both, ab.size());
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(*out, ab);
  }
}

}  // namespace
}  // namespace conveyor::protocol
