#include "conveyor/group/group_records.h"

#include <gtest/gtest.h>

namespace conveyor::group {
namespace {

using Bytes = std::vector<std::uint8_t>;

TEST(OffsetsPartition, MatchesJavaStringHashCode) {
  // "foo".hashCode() == 101574; "console-consumer-1".hashCode() is negative.
  EXPECT_EQ(offsets_partition_for("foo", 50), 101574 % 50);
  EXPECT_EQ(offsets_partition_for("", 50), 0);
  // Java: "polygenelubricants".hashCode() == Integer.MIN_VALUE; Utils.abs maps it to 0.
  EXPECT_EQ(offsets_partition_for("polygenelubricants", 50), 0);
  // Non-ASCII is hashed over UTF-16 code units: "é" is U+00E9 == 233.
  EXPECT_EQ(offsets_partition_for("\xC3\xA9", 1000), 233);
  for (int i = 0; i < 100; ++i) {
    const auto p = offsets_partition_for("group-" + std::to_string(i), 7);
    EXPECT_GE(p, 0);
    EXPECT_LT(p, 7);
  }
}

TEST(GroupRecords, OffsetKeyAndValueRoundTrip) {
  auto key = decode_key(encode_key(OffsetKey{"g", "topic", 3}));
  ASSERT_TRUE(key);
  const auto& k = std::get<OffsetKey>(*key);
  EXPECT_EQ(k.group, "g");
  EXPECT_EQ(k.topic, "topic");
  EXPECT_EQ(k.partition, 3);
  auto value = decode_offset_value(encode_value(OffsetValue{42, 7, "meta", 1234}));
  ASSERT_TRUE(value);
  EXPECT_EQ(value->offset, 42);
  EXPECT_EQ(value->leader_epoch, 7);
  EXPECT_EQ(value->metadata, "meta");
  EXPECT_EQ(value->commit_timestamp, 1234);
}

TEST(GroupRecords, GroupValueRoundTrip) {
  GroupValue v;
  v.protocol_type = "consumer";
  v.generation = 5;
  v.protocol = "range";
  v.leader = "m1";
  v.state_timestamp = 99;
  v.members.push_back({"m1", std::string("i1"), "client", "/127.0.0.1", 300000, 10000, {1, 2}, {3}});
  auto key = decode_key(encode_key(GroupKey{"g"}));
  ASSERT_TRUE(key);
  EXPECT_EQ(std::get<GroupKey>(*key).group, "g");
  auto back = decode_group_value(encode_value(v));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->generation, 5);
  EXPECT_EQ(back->protocol, "range");
  ASSERT_EQ(back->members.size(), 1u);
  EXPECT_EQ(back->members[0].group_instance_id, "i1");
  EXPECT_EQ(back->members[0].subscription, (Bytes{1, 2}));
  EXPECT_EQ(back->members[0].assignment, (Bytes{3}));
}

TEST(GroupRecords, GarbageIsRejected) {
  const Bytes junk{0x7f};
  EXPECT_FALSE(decode_key(junk));
  EXPECT_FALSE(decode_offset_value(junk));
  EXPECT_FALSE(decode_group_value(Bytes{0, 3, 0, 9}));
}

}  // namespace
}  // namespace conveyor::group
