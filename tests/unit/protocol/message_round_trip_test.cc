// Every generated message, every valid version, many random values:
// encode -> decode gives back an equal message, and size() is the exact
// encoded length. Covers requests, responses, headers and data types.

#include <gtest/gtest.h>

#include "conveyor/protocol/all_messages.h"
#include "fill_random.h"

namespace conveyor::protocol {
namespace {

constexpr int kSeedsPerVersion = 25;

template <typename Message>
void check_round_trips(int& versions_checked) {
  for (std::int16_t version = Message::kLowestVersion; version <= Message::kHighestVersion;
       ++version) {
    ++versions_checked;
    for (int seed = 0; seed < kSeedsPerVersion; ++seed) {
      SCOPED_TRACE(::testing::Message() << Message::kName << " v" << version << " seed " << seed);
      testing::RandomSource rnd(static_cast<std::uint64_t>(seed) * 7919 + version);
      Message original;
      testing::fill_random(original, version, rnd);

      Writer writer;
      ASSERT_EQ(original.encode(writer, version), ProtocolError::none);
      ASSERT_EQ(original.size(version), writer.size());
      const auto bytes = writer.flatten();
      ASSERT_EQ(bytes.size(), writer.size());

      Reader reader(bytes);
      Message decoded;
      ASSERT_EQ(decoded.decode(reader, version), ProtocolError::none);
      EXPECT_TRUE(reader.at_end());
      ASSERT_TRUE(decoded == original);
    }
  }
}

TEST(MessageRoundTrip, EveryMessageEveryVersion) {
  int messages = 0;
  int versions = 0;
  for_each_message_type([&]<typename Message>() {
    ++messages;
    check_round_trips<Message>(versions);
  });
  // All 186 schema files, and the hundreds of versions they define.
  EXPECT_EQ(messages, 186);
  EXPECT_GT(versions, 600);
}

TEST(MessageRoundTrip, DefaultsMatchTheSchemas) {
  FetchRequest fetch;
  EXPECT_EQ(fetch.max_bytes, 0x7fffffff);
  EXPECT_EQ(fetch.replica_id, -1);
  EXPECT_EQ(fetch.session_epoch, -1);
  EXPECT_FALSE(fetch.cluster_id.has_value());  // "default": "null"
  ProduceRequest produce;
  EXPECT_FALSE(produce.transactional_id.has_value());
  ProduceRequest::PartitionProduceData partition;
  EXPECT_TRUE(partition.records.is_null());
}

TEST(MessageRoundTrip, VersionOutsideTheValidRangeIsRejected) {
  ProduceRequest request;
  Writer writer;
  EXPECT_EQ(request.encode(writer, 12), ProtocolError::unsupported_version);
  std::vector<std::uint8_t> bytes(64, 0);
  Reader reader(bytes);
  EXPECT_EQ(request.decode(reader, -1), ProtocolError::unsupported_version);
}

TEST(MessageRoundTrip, NonIgnorableFieldMissingFromVersionFailsToEncode) {
  // CreateTopics v0 has no validate_only; dropping `true` would change meaning.
  CreateTopicsRequest request;
  request.validate_only = true;
  Writer writer;
  EXPECT_EQ(request.encode(writer, 0), ProtocolError::field_not_encodable);
  // An ignorable field is silently dropped: Fetch v2 has no max_bytes.
  FetchRequest fetch;
  fetch.max_bytes = 1000;
  Writer fetch_writer;
  EXPECT_EQ(fetch.encode(fetch_writer, 2), ProtocolError::none);
}

TEST(MessageRoundTrip, NullInNonNullableFieldFailsToEncode) {
  MetadataRequest request;
  request.topics = std::nullopt;  // null (all topics) exists from v1 on
  Writer v0;
  EXPECT_EQ(request.encode(v0, 0), ProtocolError::null_not_allowed);
  Writer v1;
  EXPECT_EQ(request.encode(v1, 1), ProtocolError::none);
}

TEST(MessageRoundTrip, UnknownTaggedFieldsArePreservedInOrder) {
  ApiVersionsRequest request;
  request.client_software_name = "conveyor-test";
  request.client_software_version = "1.0";
  request.unknown_tagged_fields = {{7, {1, 2, 3}}, {9, {}}};
  Writer writer;
  ASSERT_EQ(request.encode(writer, 3), ProtocolError::none);
  const auto bytes = writer.flatten();
  Reader reader(bytes);
  ApiVersionsRequest decoded;
  ASSERT_EQ(decoded.decode(reader, 3), ProtocolError::none);
  EXPECT_EQ(decoded.unknown_tagged_fields, request.unknown_tagged_fields);
}

TEST(MessageRoundTrip, KnownTaggedFieldsAreWrittenOnlyWhenNotDefault) {
  FetchRequest request;
  Writer without;
  ASSERT_EQ(request.encode(without, 12), ProtocolError::none);
  request.cluster_id = "cluster";
  Writer with;
  ASSERT_EQ(request.encode(with, 12), ProtocolError::none);
  // tag 0, size 8, compact string "cluster" (length+1 = 8) + 7 bytes.
  EXPECT_EQ(with.size() - without.size(), 1 + 1 + 8);
  const auto bytes = with.flatten();
  Reader reader(bytes);
  FetchRequest decoded;
  ASSERT_EQ(decoded.decode(reader, 12), ProtocolError::none);
  EXPECT_EQ(decoded.cluster_id, "cluster");
  EXPECT_TRUE(decoded.unknown_tagged_fields.empty());
}

}  // namespace
}  // namespace conveyor::protocol
