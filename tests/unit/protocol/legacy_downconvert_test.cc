// Legacy message sets: down-conversion of stored v2 batches to magic 1 and 0
// for Fetch v0-v3, each codec, parsed back by the tests' own parser
// (legacy_test_support.h).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "conveyor/protocol/legacy_message_set.h"
#include "legacy_test_support.h"

namespace conveyor::protocol {
namespace {

using namespace legacy_test;  // NOLINT(google-build-using-namespace): test helpers

// --- Down-conversion ----------------------------------------------------------

void expect_matches(const std::vector<Parsed>& parsed, const std::vector<V2Rec>& records,
                    std::int64_t first_offset, std::size_t skip, std::int8_t magic) {
  ASSERT_EQ(parsed.size(), records.size() - skip);
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    const V2Rec& r = records[i + skip];
    SCOPED_TRACE(i);
    EXPECT_EQ(parsed[i].magic, magic);
    EXPECT_EQ(parsed[i].offset, first_offset + static_cast<std::int64_t>(i));
    EXPECT_EQ(parsed[i].key, r.key);
    EXPECT_EQ(parsed[i].value, r.value);
    EXPECT_EQ(parsed[i].timestamp, magic == 1 ? r.timestamp : -1);
    EXPECT_EQ(parsed[i].attributes, 0);
  }
}

TEST(Downconvert, EveryCodecToMagic1And0) {
  const auto records = v2_sample(9);
  for (const std::int8_t magic : {1, 0}) {
    for (const CompressionType codec : kAllLegacyCodecs) {
      SCOPED_TRACE("magic " + std::to_string(magic) + " codec " +
                   std::to_string(static_cast<int>(codec)));
      const Bytes batch = build_v2(records, codec, 100);
      auto converted = downconvert_batches(batch, magic, 100, kMax);
      ASSERT_TRUE(converted.ok()) << to_string(converted.error());
      const auto parsed = parse_legacy(*converted);
      expect_matches(parsed, records, 100, 0, magic);
      const auto flat = parse_flat(*converted);
      if (codec == CompressionType::none) {
        EXPECT_EQ(flat.size(), records.size());
      } else {
        ASSERT_EQ(flat.size(), 1U);  // one wrapper per batch
        EXPECT_EQ(flat[0].attributes & 7, static_cast<int>(codec));
        EXPECT_EQ(flat[0].offset, 108);  // the last offset
        if (magic == 1) {
          EXPECT_EQ(flat[0].timestamp, records.back().timestamp);
        }
      }
    }
  }
}

TEST(Downconvert, StartsAtFirstOffsetInsideABatch) {
  const auto records = v2_sample(8);
  for (const std::int8_t magic : {1, 0}) {
    for (const CompressionType codec : kAllLegacyCodecs) {
      SCOPED_TRACE("magic " + std::to_string(magic) + " codec " +
                   std::to_string(static_cast<int>(codec)));
      auto converted = downconvert_batches(build_v2(records, codec, 50), magic, 53, kMax);
      ASSERT_TRUE(converted.ok());
      expect_matches(parse_legacy(*converted), records, 53, 3, magic);
    }
  }
}

TEST(Downconvert, DropsControlBatchesAndSpansBatches) {
  const auto first = v2_sample(3);
  const auto second = v2_sample(4, 1700000009000);
  EndTxnMarkerBatch marker;
  marker.base_offset = 3;
  marker.producer_id = 9;
  const Bytes batches =
      concat({build_v2(first, CompressionType::none, 0), build_end_txn_marker_batch(marker),
              build_v2(second, CompressionType::gzip, 4)});
  auto converted = downconvert_batches(batches, 1, 0, kMax);
  ASSERT_TRUE(converted.ok()) << to_string(converted.error());
  const auto parsed = parse_legacy(*converted);
  ASSERT_EQ(parsed.size(), 7U);
  const std::int64_t offsets[] = {0, 1, 2, 4, 5, 6, 7};
  for (std::size_t i = 0; i < parsed.size(); ++i) EXPECT_EQ(parsed[i].offset, offsets[i]);
  EXPECT_EQ(parsed[3].key, second[0].key);
  EXPECT_EQ(parsed[6].timestamp, second[3].timestamp);
}

TEST(Downconvert, LogAppendTimeSetsTheAttributeAndTimestamps) {
  for (const CompressionType codec : {CompressionType::none, CompressionType::snappy}) {
    auto converted =
        downconvert_batches(build_v2(v2_sample(3), codec, 0, 1900000000000), 1, 0, kMax);
    ASSERT_TRUE(converted.ok());
    for (const Parsed& p : parse_legacy(*converted)) {
      EXPECT_EQ(p.timestamp, 1900000000000);
      EXPECT_EQ(p.attributes, legacy::kTimestampTypeBit);
      if (codec != CompressionType::none) {
        EXPECT_TRUE(p.wrapper_log_append_time);
        EXPECT_EQ(p.wrapper_timestamp, 1900000000000);
      }
    }
    // Magic 0 has neither.
    auto v0 = downconvert_batches(build_v2(v2_sample(3), codec, 0, 1900000000000), 0, 0, kMax);
    ASSERT_TRUE(v0.ok());
    for (const RawEntry& e : parse_flat(*v0)) EXPECT_EQ(e.attributes & 8, 0);
  }
}

TEST(Downconvert, RoundTripsThroughUpconvert) {
  const auto records = v2_sample(6);
  for (const CompressionType codec : kAllLegacyCodecs) {
    for (const std::int8_t magic : {1, 0}) {
      auto down = downconvert_batches(build_v2(records, codec, 10), magic, 10, kMax);
      ASSERT_TRUE(down.ok());
      auto up = upconvert_message_set(*down, 0, kMax);
      ASSERT_TRUE(up.ok()) << to_string(up.error());
      const auto back = read_v2(*up, codec);
      ASSERT_EQ(back.size(), records.size());
      for (std::size_t i = 0; i < back.size(); ++i) {
        EXPECT_EQ(back[i].key, records[i].key);
        EXPECT_EQ(back[i].value, records[i].value);
        EXPECT_EQ(back[i].timestamp, magic == 1 ? records[i].timestamp : -1);
      }
    }
  }
}

TEST(Downconvert, PartialTrailingBatchIsIgnored) {
  const Bytes first = build_v2(v2_sample(3), CompressionType::gzip, 0);
  const Bytes second = build_v2(v2_sample(3), CompressionType::none, 3);
  const Bytes both = concat({first, second});
  for (std::size_t cut = first.size(); cut < both.size(); ++cut) {
    auto converted = downconvert_batches(BytesView(both.data(), cut), 1, 0, kMax);
    ASSERT_TRUE(converted.ok()) << cut;
    EXPECT_EQ(parse_legacy(*converted).size(), 3U);
  }
  auto none = downconvert_batches(BytesView(first.data(), first.size() - 1), 1, 0, kMax);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(Downconvert, NothingLeftGivesNoBytes) {
  auto empty = downconvert_batches({}, 1, 0, kMax);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  auto below = downconvert_batches(build_v2(v2_sample(3), CompressionType::lz4, 0), 1, 3, kMax);
  ASSERT_TRUE(below.ok());
  EXPECT_TRUE(below->empty());
}

TEST(Downconvert, Errors) {
  const Bytes batch = build_v2(v2_sample(3), CompressionType::none, 0);
  EXPECT_EQ(downconvert_batches(batch, 2, 0, kMax).error(), BatchError::bad_magic);
  EXPECT_EQ(downconvert_batches(batch, -1, 0, kMax).error(), BatchError::bad_magic);
  Bytes corrupt = batch;
  corrupt.back() ^= 1;
  EXPECT_EQ(downconvert_batches(corrupt, 1, 0, kMax).error(), BatchError::bad_crc);
  EXPECT_EQ(
      downconvert_batches(build_v2(v2_sample(3), CompressionType::zstd, 0), 1, 0, kMax).error(),
      BatchError::bad_compression);
  // A legacy message set is not stored data.
  EXPECT_FALSE(downconvert_batches(encode_all(sample(1, 3)), 1, 0, kMax).ok());
}

TEST(Downconvert, DecompressionBudgetStopsAfterAtLeastOneBatch) {
  std::vector<V2Rec> big = {{1, OptString("k"), OptString(std::string(400 << 10, 'x'))}};
  const Bytes one = build_v2(big, CompressionType::gzip, 0);
  const Bytes two = build_v2(big, CompressionType::gzip, 1);
  auto first_only = downconvert_batches(concat({one, two}), 1, 0, 600 << 10);
  ASSERT_TRUE(first_only.ok());
  const auto parsed = parse_legacy(*first_only);
  ASSERT_EQ(parsed.size(), 1U);
  EXPECT_EQ(parsed[0].offset, 0);
  EXPECT_EQ(downconvert_batches(one, 1, 0, 100 << 10).error(), BatchError::too_large);
  auto both = downconvert_batches(concat({one, two}), 1, 0, 1 << 20);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(parse_legacy(*both).size(), 2U);
}

}  // namespace
}  // namespace conveyor::protocol
