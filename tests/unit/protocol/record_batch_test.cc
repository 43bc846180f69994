// Record batch v2: builder -> reader round trips for every codec, control
// batches, batch sequences, and bad input of every kind (each an error value).

#include "conveyor/protocol/record_batch.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "conveyor/protocol/varint.h"

namespace conveyor::protocol {
namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr CompressionType kCodecs[] = {CompressionType::none, CompressionType::gzip,
                                       CompressionType::snappy, CompressionType::lz4,
                                       CompressionType::zstd};
constexpr std::size_t kMax = 8 << 20;

BytesView bytes_of(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}
std::string text_of(BytesView bytes) { return {reinterpret_cast<const char*>(bytes.data()), bytes.size()}; }

ReadOptions options(std::size_t max = kMax) {
  ReadOptions o;
  o.max_decompressed = max;
  return o;
}

// --- Hand-written records for bad-input tests --------------------------------

struct RawRecord {
  Bytes bytes;
  RawRecord& u8(std::uint8_t b) {
    bytes.push_back(b);
    return *this;
  }
  RawRecord& raw(std::initializer_list<std::uint8_t> bs) {
    bytes.insert(bytes.end(), bs);
    return *this;
  }
  RawRecord& varint(std::int64_t v) {
    std::uint8_t buf[10];
    std::uint8_t* end = varint::write_unsigned(buf, varint::zigzag_encode(v));
    bytes.insert(bytes.end(), buf, end);
    return *this;
  }
  RawRecord& str(std::string_view s) {
    varint(static_cast<std::int64_t>(s.size()));
    bytes.insert(bytes.end(), s.begin(), s.end());
    return *this;
  }
};

// A well-formed record body (after the length): attrs, ts delta, offset
// delta, key, value, no headers.
RawRecord body(std::int32_t offset_delta, std::string_view key = "k", std::string_view value = "v") {
  RawRecord r;
  r.u8(0).varint(0).varint(offset_delta).str(key).str(value).varint(0);
  return r;
}

// Prefixes `b` with its length.
Bytes with_length(const RawRecord& b, std::int64_t length) {
  RawRecord out;
  out.varint(length);
  out.bytes.insert(out.bytes.end(), b.bytes.begin(), b.bytes.end());
  return out.bytes;
}
Bytes framed(const RawRecord& b) { return with_length(b, static_cast<std::int64_t>(b.bytes.size())); }

// A batch around a raw records section, CRC correct.
Bytes raw_batch(const Bytes& section, std::int32_t record_count, std::int32_t last_offset_delta,
                std::int16_t attributes = 0) {
  Bytes batch(kRecordBatchHeaderSize, 0);
  batch.insert(batch.end(), section.begin(), section.end());
  namespace off = batch_offsets;
  store_be64(batch.data() + off::kBaseOffset, 0);
  store_be32(batch.data() + off::kBatchLength, static_cast<std::int32_t>(batch.size() - kLogOverhead));
  store_be32(batch.data() + off::kPartitionLeaderEpoch, -1);
  batch[off::kMagic] = 2;
  store_be16(batch.data() + off::kAttributes, attributes);
  store_be32(batch.data() + off::kLastOffsetDelta, last_offset_delta);
  store_be64(batch.data() + off::kBaseTimestamp, 1000);
  store_be64(batch.data() + off::kMaxTimestamp, 1000);
  store_be64(batch.data() + off::kProducerId, -1);
  store_be16(batch.data() + off::kProducerEpoch, -1);
  store_be32(batch.data() + off::kBaseSequence, -1);
  store_be32(batch.data() + off::kRecordCount, record_count);
  update_crc(batch);
  return batch;
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// Expects both the reader and the validator to reject `batch` with `error`.
void expect_rejected(const Bytes& batch, BatchError error) {
  auto read = RecordBatch::read(batch, options());
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error(), error) << "read: " << to_string(read.error());
  auto validated = validate_batch(batch, kMax);
  ASSERT_FALSE(validated.ok());
  EXPECT_EQ(validated.error(), error) << "validate: " << to_string(validated.error());
}

// --- Round trips -------------------------------------------------------------

Bytes build_sample(CompressionType codec) {
  const RecordHeader headers[] = {{"trace", bytes_of("abc")}, {"empty", BytesView{}}, {"null", std::nullopt}};
  RecordBatchBuilder builder;
  builder.set_compression(codec)
      .set_base_offset(100)
      .set_partition_leader_epoch(7)
      .set_producer(4242, 3, 17)
      .set_transactional(true)
      .add(1'700'000'000'000, bytes_of("key-0"), bytes_of("value-0"), headers)
      .add(1'700'000'000'500, std::nullopt, bytes_of("value-1"))
      .add(1'699'999'999'000, bytes_of("key-2"), std::nullopt)
      .add(1'700'000'000'100, BytesView{}, BytesView{});
  auto batch = builder.build();
  EXPECT_TRUE(batch.ok());
  return std::move(batch).value();
}

TEST(RecordBatch, BuilderToReaderRoundTripsForEveryCodec) {
  for (const auto codec : kCodecs) {
    SCOPED_TRACE(static_cast<int>(codec));
    const Bytes batch = build_sample(codec);
    auto read = RecordBatch::read(batch, options());
    ASSERT_TRUE(read.ok()) << to_string(read.error());
    const RecordBatchHeader& h = read->header();
    EXPECT_EQ(h.base_offset, 100);
    EXPECT_EQ(h.partition_leader_epoch, 7);
    EXPECT_EQ(h.compression(), codec);
    EXPECT_TRUE(h.is_transactional());
    EXPECT_FALSE(h.is_control());
    EXPECT_EQ(h.producer_id, 4242);
    EXPECT_EQ(h.producer_epoch, 3);
    EXPECT_EQ(h.base_sequence, 17);
    EXPECT_EQ(h.record_count, 4);
    EXPECT_EQ(h.last_offset_delta, 3);
    EXPECT_EQ(h.base_timestamp, 1'700'000'000'000);
    EXPECT_EQ(h.max_timestamp, 1'700'000'000'500);
    EXPECT_EQ(h.size_in_bytes(), batch.size());

    const auto records = read->records();
    ASSERT_EQ(records.size(), 4u);
    EXPECT_EQ(text_of(*records[0].key), "key-0");
    EXPECT_EQ(text_of(*records[0].value), "value-0");
    ASSERT_EQ(records[0].headers.size(), 3);
    std::vector<RecordHeader> headers(records[0].headers.begin(), records[0].headers.end());
    ASSERT_EQ(headers.size(), 3u);
    EXPECT_EQ(headers[0].key, "trace");
    EXPECT_EQ(text_of(*headers[0].value), "abc");
    EXPECT_EQ(headers[1].key, "empty");
    ASSERT_TRUE(headers[1].value.has_value());
    EXPECT_TRUE(headers[1].value->empty());
    EXPECT_EQ(headers[2].key, "null");
    EXPECT_FALSE(headers[2].value.has_value());

    EXPECT_FALSE(records[1].key.has_value());
    EXPECT_EQ(text_of(*records[1].value), "value-1");
    EXPECT_TRUE(records[1].headers.empty());
    EXPECT_EQ(text_of(*records[2].key), "key-2");
    EXPECT_FALSE(records[2].value.has_value());
    ASSERT_TRUE(records[3].key.has_value() && records[3].value.has_value());
    EXPECT_TRUE(records[3].key->empty() && records[3].value->empty());

    for (std::size_t i = 0; i < records.size(); ++i) {
      EXPECT_EQ(records[i].offset_delta, static_cast<std::int32_t>(i));
      EXPECT_EQ(read->offset_of(records[i]), 100 + static_cast<std::int64_t>(i));
    }
    EXPECT_EQ(read->timestamp_of(records[2]), 1'699'999'999'000);
    EXPECT_EQ(records[2].timestamp_delta, -1000);

    auto summary = validate_batch(batch, kMax);
    ASSERT_TRUE(summary.ok()) << to_string(summary.error());
    EXPECT_EQ(summary->max_timestamp, 1'700'000'000'500);
    EXPECT_EQ(summary->offset_delta_of_max_timestamp, 1);
    EXPECT_TRUE(summary->has_null_key);
  }
}

TEST(RecordBatch, LargeBatchesRoundTripForEveryCodec) {
  std::mt19937 rng(1);
  std::vector<std::string> values;
  for (int i = 0; i < 2000; ++i) {
    std::string v(static_cast<std::size_t>(rng() % 2000), 'x');
    for (auto& c : v) c = static_cast<char>('a' + rng() % 4);
    values.push_back(std::move(v));
  }
  for (const auto codec : kCodecs) {
    SCOPED_TRACE(static_cast<int>(codec));
    RecordBatchBuilder builder;
    builder.set_compression(codec);
    for (std::size_t i = 0; i < values.size(); ++i) {
      const std::string key = "key-" + std::to_string(i);
      builder.add(static_cast<std::int64_t>(i), bytes_of(key), bytes_of(values[i]));
    }
    auto batch = builder.build();
    ASSERT_TRUE(batch.ok());
    auto read = RecordBatch::read(*batch, options());
    ASSERT_TRUE(read.ok()) << to_string(read.error());
    ASSERT_EQ(read->records().size(), values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
      EXPECT_EQ(text_of(*read->records()[i].value), values[i]);
      EXPECT_EQ(read->timestamp_of(read->records()[i]), static_cast<std::int64_t>(i));
    }
    EXPECT_TRUE(validate_batch(*batch, kMax).ok());
    // The bound applies to the decompressed section.
    if (codec != CompressionType::none) {
      auto tight = RecordBatch::read(*batch, options(read->records_section().size() - 1));
      ASSERT_FALSE(tight.ok());
      EXPECT_EQ(tight.error(), BatchError::too_large);
      EXPECT_EQ(validate_batch(*batch, 1000).error(), BatchError::too_large);
    }
  }
}

TEST(RecordBatch, LogAppendTimeBatchesReportMaxTimestamp) {
  RecordBatchBuilder builder;
  builder.set_log_append_time(5555).add(10, std::nullopt, bytes_of("a")).add(20, std::nullopt, bytes_of("b"));
  auto batch = builder.build();
  ASSERT_TRUE(batch.ok());
  auto read = RecordBatch::read(*batch, options());
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->header().timestamp_type(), TimestampType::log_append_time);
  EXPECT_EQ(read->timestamp_of(read->records()[0]), 5555);
  EXPECT_EQ(read->timestamp_of(read->records()[1]), 5555);
}

TEST(RecordBatch, CompactedBatchesMayHaveOffsetGaps) {
  RecordInput a;
  a.timestamp = 1;
  a.value = bytes_of("a");
  a.offset_delta = 0;
  RecordInput b = a;
  b.offset_delta = 5;
  RecordBatchBuilder builder;
  builder.add(a).add(b).set_last_offset_delta(9);
  auto batch = builder.build();
  ASSERT_TRUE(batch.ok());
  ReadOptions gaps = options();
  gaps.allow_offset_gaps = true;
  auto read = RecordBatch::read(*batch, gaps);
  ASSERT_TRUE(read.ok()) << to_string(read.error());
  EXPECT_EQ(read->header().last_offset_delta, 9);
  EXPECT_EQ(read->records()[1].offset_delta, 5);
  // A producer's batch may not.
  EXPECT_EQ(RecordBatch::read(*batch, options()).error(), BatchError::bad_offset_delta);
  EXPECT_EQ(validate_batch(*batch, kMax).error(), BatchError::bad_offset_delta);
  // Out-of-order deltas are refused by the builder.
  RecordBatchBuilder backwards;
  backwards.add(b).add(a);
  EXPECT_EQ(backwards.build().error(), BatchError::bad_offset_delta);
}

TEST(RecordBatch, EmptyBatchReadsWithGaps) {
  RecordBatchBuilder builder;
  builder.set_compression(CompressionType::zstd).set_last_offset_delta(3);
  auto batch = builder.build();
  ASSERT_TRUE(batch.ok());
  ReadOptions gaps = options();
  gaps.allow_offset_gaps = true;
  auto read = RecordBatch::read(*batch, gaps);
  ASSERT_TRUE(read.ok()) << to_string(read.error());
  EXPECT_TRUE(read->records().empty());
}

// --- Control batches ------------------------------------------------------------

TEST(RecordBatch, EndTxnMarkerBatchRoundTrips) {
  EndTxnMarkerBatch spec;
  spec.producer_id = 99;
  spec.producer_epoch = 4;
  spec.type = ControlRecordType::abort;
  spec.coordinator_epoch = 12;
  spec.timestamp = 777;
  const Bytes batch = build_end_txn_marker_batch(spec);
  auto read = RecordBatch::read(batch, options());
  ASSERT_TRUE(read.ok()) << to_string(read.error());
  const auto& h = read->header();
  EXPECT_TRUE(h.is_control());
  EXPECT_TRUE(h.is_transactional());
  EXPECT_EQ(h.producer_id, 99);
  EXPECT_EQ(h.producer_epoch, 4);
  EXPECT_EQ(h.base_sequence, -1);
  ASSERT_EQ(read->records().size(), 1u);
  const Record& marker = read->records()[0];
  EXPECT_EQ(text_of(*marker.key), std::string("\0\0\0\0", 4));
  auto key = parse_control_record_key(marker.key);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->version, 0);
  EXPECT_EQ(key->type, static_cast<std::int16_t>(ControlRecordType::abort));
  auto value = parse_end_txn_marker(marker.value);
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value->version, 0);
  EXPECT_EQ(value->coordinator_epoch, 12);
  EXPECT_TRUE(validate_batch(batch, kMax).ok());

  spec.type = ControlRecordType::commit;
  const Bytes commit = build_end_txn_marker_batch(spec);
  auto read_commit = RecordBatch::read(commit, options());
  ASSERT_TRUE(read_commit.ok());
  EXPECT_EQ(parse_control_record_key(read_commit->records()[0].key)->type,
            static_cast<std::int16_t>(ControlRecordType::commit));
}

TEST(RecordBatch, ControlKeyAndValueParsing) {
  const Bytes commit_key = {0, 0, 0, 1};
  EXPECT_EQ(parse_control_record_key(BytesView(commit_key))->type, 1);
  const Bytes future_key = {0, 1, 0, 2, 9, 9};  // version 1 with an extra field
  EXPECT_EQ(parse_control_record_key(BytesView(future_key))->type, 2);
  const Bytes short_key = {0, 0, 0};
  EXPECT_EQ(parse_control_record_key(BytesView(short_key)).error(), BatchError::bad_control_record);
  const Bytes negative_version = {0xff, 0xff, 0, 1};
  EXPECT_EQ(parse_control_record_key(BytesView(negative_version)).error(), BatchError::bad_control_record);
  EXPECT_EQ(parse_control_record_key(std::nullopt).error(), BatchError::bad_control_record);

  const Bytes marker = {0, 0, 0, 0, 1, 2};
  EXPECT_EQ(parse_end_txn_marker(BytesView(marker))->coordinator_epoch, 258);
  const Bytes short_marker = {0, 0, 0, 0, 1};
  EXPECT_EQ(parse_end_txn_marker(BytesView(short_marker)).error(), BatchError::bad_control_record);
  EXPECT_EQ(parse_end_txn_marker(std::nullopt).error(), BatchError::bad_control_record);
}

TEST(RecordBatch, ControlBatchWithOrdinaryRecordIsRejectedByValidation) {
  const Bytes batch = raw_batch(framed(body(0, "k", "v")), 1, 0,
                                batch_attributes::kControl | batch_attributes::kTransactional);
  EXPECT_EQ(validate_batch(batch, kMax).error(), BatchError::bad_control_record);
}

// --- Batch sequences -----------------------------------------------------------

TEST(BatchSequence, WalksConcatenatedBatches) {
  const Bytes a = build_sample(CompressionType::none);
  const Bytes b = build_sample(CompressionType::lz4);
  const Bytes c = build_end_txn_marker_batch({});
  const Bytes all = concat({a, b, c});
  BatchSequence sequence(all);
  std::vector<std::size_t> sizes;
  for (;;) {
    auto next = sequence.next();
    ASSERT_TRUE(next.ok()) << to_string(next.error());
    if (!*next) break;
    sizes.push_back((*next)->bytes.size());
    EXPECT_TRUE(RecordBatch::read((*next)->bytes, options()).ok());
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{a.size(), b.size(), c.size()}));
  EXPECT_EQ(sequence.position(), all.size());

  BatchSequence empty(BytesView{});
  auto none = empty.next();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST(BatchSequence, PartialTailIsTruncatedAtItsPosition) {
  const Bytes a = build_sample(CompressionType::none);
  const Bytes b = build_sample(CompressionType::gzip);
  const Bytes all = concat({a, b});
  for (const std::size_t cut : {a.size() + 5, a.size() + 61, all.size() - 1}) {
    BatchSequence sequence(BytesView(all).first(cut));
    ASSERT_TRUE(sequence.next().ok());
    auto tail = sequence.next();
    ASSERT_FALSE(tail.ok());
    EXPECT_EQ(tail.error(), BatchError::truncated);
    EXPECT_EQ(sequence.position(), a.size());
  }
}

TEST(BatchSequence, BadHeaderIsAnError) {
  Bytes second = build_sample(CompressionType::none);
  Bytes bad = concat({build_sample(CompressionType::none), second});
  bad[second.size() + batch_offsets::kMagic] = 1;
  BatchSequence sequence(bad);
  ASSERT_TRUE(sequence.next().ok());
  EXPECT_EQ(sequence.next().error(), BatchError::bad_magic);
  store_be32(bad.data() + second.size() + batch_offsets::kBatchLength, -1);
  bad[second.size() + batch_offsets::kMagic] = 2;
  BatchSequence negative(bad);
  ASSERT_TRUE(negative.next().ok());
  EXPECT_EQ(negative.next().error(), BatchError::bad_length);
}

// --- Bad input -----------------------------------------------------------------

TEST(RecordBatchBadInput, BadCrc) {
  Bytes batch = build_sample(CompressionType::none);
  batch[batch.size() - 3] ^= 0x01;
  expect_rejected(batch, BatchError::bad_crc);
  ReadOptions no_crc = options();
  no_crc.verify_crc = false;
  EXPECT_TRUE(RecordBatch::read(batch, no_crc).ok());
}

TEST(RecordBatchBadInput, WrongLastOffsetDelta) {
  Bytes batch = build_sample(CompressionType::none);
  store_be32(batch.data() + batch_offsets::kLastOffsetDelta, 4);  // 4 records: should be 3
  update_crc(batch);
  expect_rejected(batch, BatchError::bad_offset_delta);
  // Smaller than the record count: the header alone says so.
  store_be32(batch.data() + batch_offsets::kLastOffsetDelta, 1);
  update_crc(batch);
  expect_rejected(batch, BatchError::bad_record_count);
}

TEST(RecordBatchBadInput, OffsetDeltasNotZeroToNMinusOne) {
  const Bytes section = concat({framed(body(0)), framed(body(2))});
  expect_rejected(raw_batch(section, 2, 1), BatchError::bad_offset_delta);
  const Bytes repeated = concat({framed(body(0)), framed(body(0))});
  expect_rejected(raw_batch(repeated, 2, 1), BatchError::bad_offset_delta);
  ReadOptions gaps = options();
  gaps.allow_offset_gaps = true;
  EXPECT_EQ(RecordBatch::read(raw_batch(repeated, 2, 1), gaps).error(), BatchError::bad_offset_delta);
  EXPECT_TRUE(RecordBatch::read(raw_batch(section, 2, 2), gaps).ok());
  // Beyond last_offset_delta even with gaps.
  EXPECT_EQ(RecordBatch::read(raw_batch(concat({framed(body(0)), framed(body(3))}), 2, 2), gaps).error(),
            BatchError::bad_offset_delta);
}

TEST(RecordBatchBadInput, RecordCountDisagreesWithRecords) {
  const Bytes two = concat({framed(body(0)), framed(body(1))});
  const Bytes three = concat({two, framed(body(2))});
  expect_rejected(raw_batch(two, 3, 2), BatchError::bad_record_count);    // fewer present
  expect_rejected(raw_batch(three, 2, 1), BatchError::bad_record_count);  // more present
  expect_rejected(raw_batch(concat({two, Bytes{0x00}}), 2, 1), BatchError::bad_record_count);
  // A huge count with few bytes: refused before anything is sized by it.
  expect_rejected(raw_batch(two, 0x7ffffff0, 0x7fffffef), BatchError::bad_record_count);
  // Negative count.
  expect_rejected(raw_batch(two, -1, 1), BatchError::bad_record_count);
}

TEST(RecordBatchBadInput, RecordLengthDisagreesWithFields) {
  const RawRecord b = body(0);
  const auto n = static_cast<std::int64_t>(b.bytes.size());
  // Declared longer than the fields (an extra byte the fields do not use).
  RawRecord padded = b;
  padded.u8(0);
  expect_rejected(raw_batch(with_length(padded, n + 1), 1, 0), BatchError::bad_records);
  // Declared shorter than the fields.
  expect_rejected(raw_batch(concat({with_length(b, n - 1), Bytes{}}), 1, 0), BatchError::bad_records);
  // Negative, below the minimum, and beyond the section.
  expect_rejected(raw_batch(with_length(b, -5), 1, 0), BatchError::bad_records);
  expect_rejected(raw_batch(with_length(b, 3), 1, 0), BatchError::bad_records);
  expect_rejected(raw_batch(with_length(b, n + 100), 1, 0), BatchError::bad_records);
  expect_rejected(raw_batch(with_length(b, 0x7fffffff), 1, 0), BatchError::bad_records);
}

TEST(RecordBatchBadInput, OverlongVarints) {
  // Record length as six bytes of varint.
  Bytes six = {0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
  const RawRecord b = body(0);
  six.insert(six.end(), b.bytes.begin(), b.bytes.end());
  expect_rejected(raw_batch(six, 1, 0), BatchError::bad_records);
  // A fifth varint byte using bits beyond 32.
  Bytes wide = {0x80, 0x80, 0x80, 0x80, 0x7f};
  wide.insert(wide.end(), b.bytes.begin(), b.bytes.end());
  expect_rejected(raw_batch(wide, 1, 0), BatchError::bad_records);
  // Timestamp delta as an 11-byte varlong.
  RawRecord ts;
  ts.u8(0).raw({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}).varint(0).str("k").str("v").varint(0);
  expect_rejected(raw_batch(framed(ts), 1, 0), BatchError::bad_records);
  // Offset delta as a six-byte varint.
  RawRecord od;
  od.u8(0).varint(0).raw({0x80, 0x80, 0x80, 0x80, 0x80, 0x00}).str("k").str("v").varint(0);
  expect_rejected(raw_batch(framed(od), 1, 0), BatchError::bad_records);
}

TEST(RecordBatchBadInput, BadKeyValueAndHeaderLengths) {
  auto with = [](std::int64_t key_len, std::int64_t value_len) {
    RawRecord r;
    r.u8(0).varint(0).varint(0).varint(key_len).raw({'k'}).varint(value_len).raw({'v'}).varint(0);
    return raw_batch(framed(r), 1, 0);
  };
  expect_rejected(with(-2, 1), BatchError::bad_records);
  expect_rejected(with(1000, 1), BatchError::bad_records);
  expect_rejected(with(0x7fffffff, 1), BatchError::bad_records);
  expect_rejected(with(1, -7), BatchError::bad_records);
  expect_rejected(with(1, 2), BatchError::bad_records);

  auto headers = [](std::initializer_list<std::int64_t> fields, std::int64_t count) {
    RawRecord r;
    r.u8(0).varint(0).varint(0).str("k").str("v").varint(count);
    for (const auto f : fields) r.varint(f).raw({'x'});
    return raw_batch(framed(r), 1, 0);
  };
  EXPECT_TRUE(RecordBatch::read(headers({1, 1}, 1), options()).ok());
  expect_rejected(headers({1, 1}, -1), BatchError::bad_records);          // negative count
  expect_rejected(headers({1, 1}, 0x7fffffff), BatchError::bad_records);  // huge count
  expect_rejected(headers({1, 1}, 2), BatchError::bad_records);           // fewer than declared
  expect_rejected(headers({-1, 1}, 1), BatchError::bad_records);          // null header key
  expect_rejected(headers({1, -3}, 1), BatchError::bad_records);
  expect_rejected(headers({1, 50}, 1), BatchError::bad_records);
}

TEST(RecordBatchBadInput, TrailingBytesAfterTheBatch) {
  Bytes batch = build_sample(CompressionType::none);
  batch.push_back(0);
  expect_rejected(batch, BatchError::bad_length);
}

TEST(RecordBatchBadInput, EveryTruncationIsAnError) {
  for (const auto codec : kCodecs) {
    SCOPED_TRACE(static_cast<int>(codec));
    const Bytes batch = build_sample(codec);
    for (std::size_t n = 0; n < batch.size(); ++n) {
      const BytesView prefix = BytesView(batch).first(n);
      auto read = RecordBatch::read(prefix, options());
      ASSERT_FALSE(read.ok()) << n;
      EXPECT_EQ(read.error(), BatchError::truncated) << n;
      EXPECT_FALSE(validate_batch(prefix, kMax).ok()) << n;
      // The same prefix, relabelled as a complete batch, fails on its content.
      if (n > kRecordBatchHeaderSize) {
        Bytes relabelled(prefix.begin(), prefix.end());
        store_be32(relabelled.data() + batch_offsets::kBatchLength, static_cast<std::int32_t>(n - kLogOverhead));
        update_crc(relabelled);
        EXPECT_FALSE(RecordBatch::read(relabelled, options()).ok()) << n;
        EXPECT_FALSE(validate_batch(relabelled, kMax).ok()) << n;
      }
    }
  }
}

TEST(RecordBatchBadInput, BadCompressedPayloads) {
  const Bytes garbage = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  for (const auto codec : {CompressionType::gzip, CompressionType::lz4, CompressionType::zstd}) {
    expect_rejected(raw_batch(garbage, 1, 0, static_cast<std::int16_t>(codec)), BatchError::bad_compression);
  }
  // Unknown codecs 5-7.
  expect_rejected(raw_batch(framed(body(0)), 1, 0, 6), BatchError::bad_compression);
  // A bomb: 16 MiB of zeros compressed, against an 8 MiB bound.
  auto bomb = compress(CompressionType::zstd, Bytes(16 << 20, 0));
  ASSERT_TRUE(bomb.ok());
  expect_rejected(raw_batch(*bomb, 1, 0, static_cast<std::int16_t>(CompressionType::zstd)), BatchError::too_large);
  // Decompresses fine but the records inside are garbage.
  auto wrapped = compress(CompressionType::gzip, garbage);
  ASSERT_TRUE(wrapped.ok());
  expect_rejected(raw_batch(*wrapped, 1, 0, static_cast<std::int16_t>(CompressionType::gzip)), BatchError::bad_records);
}

TEST(RecordBatchBadInput, BadHeaders) {
  Bytes batch = build_sample(CompressionType::none);
  Bytes magic = batch;
  magic[batch_offsets::kMagic] = 1;
  expect_rejected(magic, BatchError::bad_magic);
  Bytes short_length = batch;
  store_be32(short_length.data() + batch_offsets::kBatchLength, 10);
  expect_rejected(short_length, BatchError::bad_length);
}

TEST(RecordBatchBadInput, RandomMutationsNeverCrash) {
  std::mt19937 rng(42);
  for (const auto codec : kCodecs) {
    const Bytes batch = build_sample(codec);
    for (int i = 0; i < 2000; ++i) {
      Bytes damaged = batch;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) {
        damaged[kRecordBatchHeaderSize + rng() % (damaged.size() - kRecordBatchHeaderSize)] =
            static_cast<std::uint8_t>(rng());
      }
      if (rng() % 2) update_crc(damaged);
      ReadOptions gaps = options(1 << 16);
      gaps.allow_offset_gaps = (rng() % 2) != 0;
      auto read = RecordBatch::read(damaged, gaps);
      if (read.ok()) {
        for (const Record& r : read->records()) {
          for (const RecordHeader& h : r.headers) (void)h.key.size();
        }
      }
      (void)validate_batch(damaged, 1 << 16).ok();
    }
  }
}

}  // namespace
}  // namespace conveyor::protocol
