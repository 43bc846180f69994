// Bad input at the frame level: real captures with one field broken. Each
// gives an error value (never a crash, an out-of-bounds read or an
// allocation sized by the bad number; ASan and UBSan check the latter in CI).
// The primitives have their own bad-input tests in tests/unit/protocol; these
// show that the generated decoders carry the primitives' errors out.

#include <gtest/gtest.h>

#include <vector>

#include "golden_capture.h"

namespace conveyor::protocol::golden {
namespace {

// The kcat Produce v7 capture and where its fields sit: header v1, then
// transactional_id (int16 -1), acks, timeout, the topic array...
class BadProduceFrame : public ::testing::Test {
 protected:
  void SetUp() override {
    frame_ = *read_capture("produce_v7_kcat_produce_none.bin");
    ASSERT_EQ(decode_frame(frame_), ProtocolError::none);
    Reader reader(frame_);
    RequestHeader header;
    ASSERT_EQ(header.decode(reader, 1), ProtocolError::none);
    body_ = header.size(1);
  }
  std::size_t topic_count_at() const { return body_ + 2 + 2 + 4; }
  std::size_t topic_name_at() const { return topic_count_at() + 4; }  // int16 length, then bytes
  std::size_t partition_count_at() const { return topic_name_at() + 2 + 6; }  // "golden"
  std::size_t records_length_at() const { return partition_count_at() + 4 + 4; }

  std::vector<std::uint8_t> frame_;
  std::size_t body_ = 0;
};

TEST_F(BadProduceFrame, TheOffsetsAreRight) {
  EXPECT_EQ(load_be32(frame_.data() + topic_count_at()), 1);
  EXPECT_EQ(load_be16(frame_.data() + topic_name_at()), 6);
  EXPECT_EQ(load_be32(frame_.data() + partition_count_at()), 1);
  EXPECT_EQ(static_cast<std::size_t>(load_be32(frame_.data() + records_length_at())),
            frame_.size() - records_length_at() - 4);
}

TEST_F(BadProduceFrame, HugeArrayCountIsRejectedBeforeAllocating) {
  for (const std::int32_t count : {0x7fffffff, 1 << 20, 1000}) {
    store_be32(frame_.data() + topic_count_at(), count);
    EXPECT_EQ(decode_frame(frame_), ProtocolError::length_too_large) << count;
  }
  store_be32(frame_.data() + partition_count_at(), 0x7fffffff);
  store_be32(frame_.data() + topic_count_at(), 1);
  EXPECT_EQ(decode_frame(frame_), ProtocolError::length_too_large);
}

TEST_F(BadProduceFrame, NegativeCountsAndLengthsAreErrors) {
  auto frame = frame_;
  store_be32(frame.data() + topic_count_at(), -2);
  EXPECT_EQ(decode_frame(frame), ProtocolError::negative_length);
  frame = frame_;
  store_be32(frame.data() + topic_count_at(), -1);  // null: topic_data is not nullable
  EXPECT_EQ(decode_frame(frame), ProtocolError::null_not_allowed);
  frame = frame_;
  store_be16(frame.data() + topic_name_at(), -1);  // null name
  EXPECT_EQ(decode_frame(frame), ProtocolError::null_not_allowed);
  frame = frame_;
  store_be16(frame.data() + topic_name_at(), -7);
  EXPECT_EQ(decode_frame(frame), ProtocolError::negative_length);
  frame = frame_;
  store_be32(frame.data() + records_length_at(), -5);
  EXPECT_EQ(decode_frame(frame), ProtocolError::negative_length);
}

TEST_F(BadProduceFrame, LengthsBeyondTheFrameAreErrors) {
  auto frame = frame_;
  store_be16(frame.data() + topic_name_at(), 0x7fff);
  EXPECT_EQ(decode_frame(frame), ProtocolError::length_too_large);
  frame = frame_;
  store_be32(frame.data() + records_length_at(), 0x7fffffff);
  EXPECT_EQ(decode_frame(frame), ProtocolError::length_too_large);
  frame = frame_;
  // One byte more than is there.
  store_be32(frame.data() + records_length_at(),
             static_cast<std::int32_t>(frame.size() - records_length_at() - 4 + 1));
  EXPECT_EQ(decode_frame(frame), ProtocolError::length_too_large);
}

TEST_F(BadProduceFrame, InvalidUtf8InTheTopicNameIsAnError) {
  // Never valid, an overlong lead, a lone continuation, a surrogate's lead
  // with nothing after it.
  for (const std::uint8_t bad : {0xff, 0xc0, 0x80, 0xed}) {
    auto frame = frame_;
    frame[topic_name_at() + 2 + 5] = bad;
    EXPECT_EQ(decode_frame(frame), ProtocolError::invalid_utf8) << int{bad};
  }
}

TEST_F(BadProduceFrame, ABadCrcStillDecodesTheFrame) {
  // The codec moves records without looking inside; the CRC is the log's to
  // check (CORRUPT_MESSAGE for that partition, not a closed connection).
  frame_.back() ^= 0xff;
  EXPECT_EQ(decode_frame(frame_), ProtocolError::none);
  const auto batch = std::span<const std::uint8_t>(frame_).subspan(records_length_at() + 4);
  EXPECT_TRUE(read_batch_header(batch).ok());
  EXPECT_FALSE(batch_crc_matches(batch));
}

TEST_F(BadProduceFrame, TrailingBytesAreLeftForTheCaller) {
  frame_.push_back(0);
  std::size_t left = 0;
  EXPECT_EQ(decode_frame(frame_, &left), ProtocolError::none);
  EXPECT_EQ(left, 1u);
}

// The kcat ApiVersions v3 capture, a flexible request: header v2 (client id,
// empty tagged fields), then compact client_software_name and _version and the
// body's tagged fields.
class BadFlexibleFrame : public ::testing::Test {
 protected:
  void SetUp() override {
    frame_ = *read_capture("api_versions_v3_kcat_metadata.bin");
    ASSERT_EQ(decode_frame(frame_), ProtocolError::none);
    Reader reader(frame_);
    RequestHeader header;
    ASSERT_EQ(header.decode(reader, 2), ProtocolError::none);
    body_ = header.size(2);
    ASSERT_EQ(frame_[body_], 1 + 10);  // compact length of "librdkafka"
    ASSERT_EQ(frame_.back(), 0);       // no tagged fields
  }
  std::vector<std::uint8_t> frame_;
  std::size_t body_ = 0;
};

TEST_F(BadFlexibleFrame, VarintLongerThanFiveBytesIsAnError) {
  std::vector<std::uint8_t> frame(frame_.begin(),
                                  frame_.begin() + static_cast<std::ptrdiff_t>(body_));
  frame.insert(frame.end(), {0x80, 0x80, 0x80, 0x80, 0x80, 0x01});
  frame.insert(frame.end(), frame_.begin() + static_cast<std::ptrdiff_t>(body_) + 1, frame_.end());
  EXPECT_EQ(decode_frame(frame), ProtocolError::varint_too_long);
}

TEST_F(BadFlexibleFrame, CompactLengthBeyondTheFrameIsAnError) {
  frame_[body_] = 0x7f;
  EXPECT_EQ(decode_frame(frame_), ProtocolError::length_too_large);
}

TEST_F(BadFlexibleFrame, UnknownTaggedFieldsArePreserved) {
  frame_.back() = 2;  // two tagged fields
  frame_.insert(frame_.end(), {5, 3, 'a', 'b', 'c', 9, 0});
  Reader reader(frame_);
  RequestHeader header;
  ASSERT_EQ(header.decode(reader, 2), ProtocolError::none);
  ApiVersionsRequest request;
  ASSERT_EQ(request.decode(reader, 3), ProtocolError::none);
  EXPECT_TRUE(reader.at_end());
  EXPECT_EQ(request.client_software_name, "librdkafka");
  ASSERT_EQ(request.unknown_tagged_fields.size(), 2u);
  EXPECT_EQ(request.unknown_tagged_fields[0].tag, 5u);
  EXPECT_EQ(request.unknown_tagged_fields[0].data, (std::vector<std::uint8_t>{'a', 'b', 'c'}));
  EXPECT_EQ(request.unknown_tagged_fields[1].tag, 9u);
  EXPECT_TRUE(request.unknown_tagged_fields[1].data.empty());
  // ... and written back where they were.
  Writer writer;
  ASSERT_EQ(header.encode(writer, 2), ProtocolError::none);
  ASSERT_EQ(request.encode(writer, 3), ProtocolError::none);
  EXPECT_EQ(writer.flatten(), frame_);
}

TEST_F(BadFlexibleFrame, TaggedFieldsOverrunningTheFrameAreErrors) {
  auto frame = frame_;
  frame.back() = 1;
  frame.insert(frame.end(), {5, 100, 'a'});  // claims 100 bytes, has 1
  EXPECT_NE(decode_frame(frame), ProtocolError::none);
  frame = frame_;
  frame.back() = 100;  // 100 fields in 0 bytes
  EXPECT_EQ(decode_frame(frame), ProtocolError::length_too_large);
  frame = frame_;
  frame.back() = 1;  // a count and nothing after it
  EXPECT_NE(decode_frame(frame), ProtocolError::none);
}

TEST(BadFrame, UnsupportedVersionsAndUnknownKeysAreErrors) {
  auto frame = *read_capture("metadata_v2_kcat_metadata.bin");
  store_be16(frame.data() + 2, 99);
  EXPECT_EQ(decode_frame(frame), ProtocolError::unsupported_version);
  store_be16(frame.data() + 2, -1);
  EXPECT_EQ(decode_frame(frame), ProtocolError::unsupported_version);
  store_be16(frame.data(), 1000);  // no such API: the header still reads (v1)
  store_be16(frame.data() + 2, 0);
  Reader reader(frame);
  RequestHeader header;
  EXPECT_EQ(header.decode(reader, request_header_version(1000, 0)), ProtocolError::none);
  EXPECT_EQ(header.client_id, "conveyor-golden-kcat");
  EXPECT_EQ(decode_frame(frame), ProtocolError::unsupported_version);
}

TEST(BadFrame, ClientIdLongerThanTheFrameIsAnError) {
  auto frame = *read_capture("metadata_v2_kcat_metadata.bin");
  store_be16(frame.data() + 8, 0x7fff);
  EXPECT_EQ(decode_frame(frame), ProtocolError::length_too_large);
  store_be16(frame.data() + 8, -1);  // null client id is allowed
  EXPECT_NE(decode_frame(frame), ProtocolError::null_not_allowed);
}

}  // namespace
}  // namespace conveyor::protocol::golden
