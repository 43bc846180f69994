// Varints, zigzag, strings, lengths and counts: exact encodings from the
// Kafka protocol guide, and every malformed form is an error value.

#include <gtest/gtest.h>

#include "conveyor/protocol/varint.h"
#include "conveyor/protocol/wire_reader.h"
#include "conveyor/protocol/wire_writer.h"

namespace conveyor::protocol {
namespace {

std::vector<std::uint8_t> bytes_of(std::initializer_list<int> values) {
  std::vector<std::uint8_t> out;
  for (int v : values) out.push_back(static_cast<std::uint8_t>(v));
  return out;
}

TEST(Varint, ZigzagMatchesProtobuf) {
  EXPECT_EQ(varint::zigzag_encode(std::int32_t{0}), 0u);
  EXPECT_EQ(varint::zigzag_encode(std::int32_t{-1}), 1u);
  EXPECT_EQ(varint::zigzag_encode(std::int32_t{1}), 2u);
  EXPECT_EQ(varint::zigzag_encode(std::int32_t{-2}), 3u);
  EXPECT_EQ(varint::zigzag_encode(std::int32_t{INT32_MAX}), 0xFFFFFFFEu);
  EXPECT_EQ(varint::zigzag_encode(std::int32_t{INT32_MIN}), 0xFFFFFFFFu);
  EXPECT_EQ(varint::zigzag_encode(std::int64_t{INT64_MIN}), UINT64_MAX);
  for (std::int64_t v : std::initializer_list<std::int64_t>{0, -1, 1, -64, 63, INT64_MAX, INT64_MIN}) {
    EXPECT_EQ(varint::zigzag_decode(varint::zigzag_encode(v)), v);
  }
}

TEST(Varint, KnownEncodings) {
  Writer w;
  w.write_uvarint(0);
  w.write_uvarint(127);
  w.write_uvarint(128);
  w.write_uvarint(300);
  w.write_varint(-1);
  w.write_varlong(-64);
  EXPECT_EQ(w.flatten(), bytes_of({0x00, 0x7F, 0x80, 0x01, 0xAC, 0x02, 0x01, 0x7F}));
}

TEST(Varint, RoundTripsAtTheBoundaries) {
  for (std::uint32_t v : {0u, 1u, 127u, 128u, 16383u, 16384u, 0x0FFFFFFFu, 0xFFFFFFFFu}) {
    Writer w;
    w.write_uvarint(v);
    EXPECT_EQ(w.size(), varint::size_unsigned(v));
    auto bytes = w.flatten();
    Reader r(bytes);
    EXPECT_EQ(r.read_uvarint(), v);
    EXPECT_TRUE(r.ok() && r.at_end());
  }
  for (std::int64_t v : std::initializer_list<std::int64_t>{0, -1, INT64_MAX, INT64_MIN, std::int64_t{1} << 40}) {
    Writer w;
    w.write_varlong(v);
    EXPECT_EQ(w.size(), varint::size_varlong(v));
    auto bytes = w.flatten();
    Reader r(bytes);
    EXPECT_EQ(r.read_varlong(), v);
    EXPECT_TRUE(r.ok() && r.at_end());
  }
}

TEST(Varint, LongerThanFiveBytesIsAnError) {
  auto bytes = bytes_of({0x80, 0x80, 0x80, 0x80, 0x80, 0x01});
  Reader r(bytes);
  EXPECT_EQ(r.read_uvarint(), 0u);
  EXPECT_EQ(r.error(), ProtocolError::varint_too_long);
}

TEST(Varint, FifthByteBeyondThirtyTwoBitsIsAnError) {
  auto bytes = bytes_of({0xFF, 0xFF, 0xFF, 0xFF, 0x1F});
  Reader r(bytes);
  r.read_uvarint();
  EXPECT_EQ(r.error(), ProtocolError::varint_too_long);
}

TEST(Varint, LongerThanTenBytesIsAnError) {
  std::vector<std::uint8_t> bytes(11, 0x80);
  bytes.back() = 0x01;
  Reader r(bytes);
  r.read_varlong();
  EXPECT_EQ(r.error(), ProtocolError::varint_too_long);
}

TEST(Varint, TruncatedIsAnError) {
  auto bytes = bytes_of({0x80, 0x80});
  Reader r(bytes);
  r.read_uvarint();
  EXPECT_EQ(r.error(), ProtocolError::truncated);
}

TEST(Reader, ErrorsAreStickyAndNeverReadPastTheEnd) {
  auto bytes = bytes_of({0x00, 0x01, 0x02});
  Reader r(bytes);
  EXPECT_EQ(r.read_int32(), 0);
  EXPECT_EQ(r.error(), ProtocolError::truncated);
  EXPECT_EQ(r.read_int8(), 0);  // would succeed on a healthy reader
  EXPECT_EQ(r.error(), ProtocolError::truncated);
}

TEST(Reader, StringLengthBeyondTheBufferIsAnError) {
  auto bytes = bytes_of({0x7F, 0xFF, 'a', 'b'});
  Reader r(bytes);
  r.read_string(/*compact=*/false);
  EXPECT_EQ(r.error(), ProtocolError::length_too_large);
}

TEST(Reader, NegativeLengthsOtherThanNullAreErrors) {
  auto bytes = bytes_of({0xFF, 0xFE});  // int16 -2
  Reader r(bytes);
  r.read_nullable_string(false);
  EXPECT_EQ(r.error(), ProtocolError::negative_length);
  auto array = bytes_of({0x80, 0x00, 0x00, 0x00});  // int32 min
  Reader ra(array);
  ra.read_array_length(false, 1);
  EXPECT_EQ(ra.error(), ProtocolError::negative_length);
}

TEST(Reader, NullWhereNotAllowedIsAnError) {
  auto bytes = bytes_of({0xFF, 0xFF});
  Reader r(bytes);
  r.read_string(false);
  EXPECT_EQ(r.error(), ProtocolError::null_not_allowed);
  auto compact = bytes_of({0x00});
  Reader rc(compact);
  EXPECT_FALSE(rc.read_nullable_string(true).has_value());
  EXPECT_TRUE(rc.ok());
}

TEST(Reader, HugeArrayCountIsRejectedBeforeAllocation) {
  // 2^31-1 elements announced, 4 bytes follow.
  auto bytes = bytes_of({0x7F, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0});
  Reader r(bytes);
  r.read_array_length(false, 1);
  EXPECT_EQ(r.error(), ProtocolError::length_too_large);
  // Counts are checked against the element's minimum encoded size.
  auto two = bytes_of({0x00, 0x00, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0});
  Reader r2(two);
  r2.read_array_length(false, 8);
  EXPECT_EQ(r2.error(), ProtocolError::length_too_large);
}

TEST(Reader, InvalidUtf8InAStringIsAnError) {
  for (auto bad : {bytes_of({0x00, 0x02, 0xC3, 0x28}),         // bad continuation
                   bytes_of({0x00, 0x02, 0xC0, 0x80}),         // overlong NUL
                   bytes_of({0x00, 0x03, 0xED, 0xA0, 0x80}),   // surrogate
                   bytes_of({0x00, 0x01, 0xFF}),               // never valid
                   bytes_of({0x00, 0x02, 0xE2, 0x82})}) {      // truncated sequence
    Reader r(bad);
    r.read_string(false);
    EXPECT_EQ(r.error(), ProtocolError::invalid_utf8);
  }
  auto good = bytes_of({0x00, 0x04, 0xF0, 0x9F, 0x99, 0x82});
  Reader r(good);
  EXPECT_EQ(r.read_string(false), "\xF0\x9F\x99\x82");
  EXPECT_TRUE(r.ok());
}

TEST(Reader, RecordsAreAViewThatKeepsTheOwnerAlive) {
  auto frame = std::make_shared<std::vector<std::uint8_t>>(bytes_of({0, 0, 0, 3, 'x', 'y', 'z'}));
  Records records;
  {
    Reader r(*frame, frame);
    records = r.read_records(false, true);
  }
  std::weak_ptr<std::vector<std::uint8_t>> weak = frame;
  frame.reset();
  EXPECT_FALSE(weak.expired());
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records.bytes()[2], 'z');
}

TEST(Writer, LargeRecordsAreSplicedNotCopied) {
  std::vector<std::uint8_t> big(Writer::kSpliceThreshold + 10, 0xAB);
  Writer w;
  w.write_int8(1);
  w.write_records(Records::owned(big), false, true);
  w.write_int8(2);
  EXPECT_EQ(w.buffer().size(), 1u + 4u + 1u);
  ASSERT_EQ(w.external().size(), 1u);
  EXPECT_EQ(w.external()[0].buffer_offset, 5u);
  EXPECT_EQ(w.size(), 6 + big.size());
  auto flat = w.flatten();
  EXPECT_EQ(flat[5], 0xAB);
  EXPECT_EQ(flat.back(), 2);
}

TEST(Writer, EmptyRecordsAreLengthZeroNotNull) {
  Writer w;
  w.write_records(Records::empty(), false, true);
  EXPECT_EQ(w.flatten(), bytes_of({0, 0, 0, 0}));
  Writer c;
  c.write_records(Records::empty(), true, true);
  EXPECT_EQ(c.flatten(), bytes_of({0x01}));
}

}  // namespace
}  // namespace conveyor::protocol
