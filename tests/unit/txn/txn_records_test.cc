#include "conveyor/txn/txn_records.h"

#include <gtest/gtest.h>

namespace conveyor::txn {
namespace {

using Bytes = std::vector<std::uint8_t>;

TxnMetadata ongoing() {
  TxnMetadata m;
  m.transactional_id = "app-1";
  m.producer_id = 4242;
  m.last_producer_id = 4000;
  m.producer_epoch = 7;
  m.last_producer_epoch = 6;
  m.timeout_ms = 60000;
  m.state = TxnState::ongoing;
  m.partitions = {{"orders", 0}, {"orders", 3}, {"__consumer_offsets", 12}};
  m.start_timestamp_ms = 1'700'000'000'000;
  m.last_update_ms = 1'700'000'000'500;
  return m;
}

TEST(TxnPartition, IsTheJavaHashCodeRule) {
  EXPECT_EQ(txn_partition_for("foo", 50), 101574 % 50);       // "foo".hashCode() == 101574
  EXPECT_EQ(txn_partition_for("polygenelubricants", 50), 0);  // hashCode() == Integer.MIN_VALUE
}

TEST(TxnRecords, KeyIsKafkasTransactionLogKeyV0) {
  EXPECT_EQ(encode_txn_key("ab"), (Bytes{0, 0, 0, 2, 'a', 'b'}));
  EXPECT_EQ(decode_txn_key(encode_txn_key("app-1")), "app-1");
  EXPECT_EQ(decode_txn_key(Bytes{0, 1, 0, 0}), std::nullopt) << "an unknown key version is skipped";
  EXPECT_EQ(decode_txn_key(Bytes{0, 0, 0, 5, 'a'}), std::nullopt);
}

TEST(TxnRecords, ValueRoundTrip) {
  const auto m = ongoing();
  auto decoded = decode_txn_value("app-1", encode_txn_value(m));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, m);
}

TEST(TxnRecords, EmptyHasNoPartitionList) {
  TxnMetadata m;
  m.transactional_id = "x";
  m.producer_id = 1;
  m.producer_epoch = 0;
  m.timeout_ms = 100;
  m.last_update_ms = 5;
  const Bytes expected = {
      0,    0,                                         // version
      0,    0,    0,    0,    0,    0,    0,    1,     // producer id
      0,    0,                                         // epoch
      0,    0,    0,    100,                           // timeout
      0,                                               // state Empty
      0xff, 0xff, 0xff, 0xff,                          // no partitions (null)
      0,    0,    0,    0,    0,    0,    0,    5,     // last update
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // start -1
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // last producer id -1
      0xff, 0xff,                                      // last epoch -1
  };
  EXPECT_EQ(encode_txn_value(m), expected);
  auto decoded = decode_txn_value("x", expected);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, m);
}

TEST(TxnRecords, PartitionsAreGroupedByTopic) {
  auto m = ongoing();
  m.partitions = {{"b", 1}, {"a", 2}, {"b", 0}};
  const auto bytes = encode_txn_value(m);
  // version(2) pid(8) epoch(2) timeout(4) state(1), then 2 topics: "a" [2], "b" [0, 1].
  const Bytes partitions(bytes.begin() + 17,
                         bytes.begin() + 17 + 4 + (2 + 1 + 4 + 4) + (2 + 1 + 4 + 8));
  EXPECT_EQ(partitions, (Bytes{0, 0, 0,   2, 0, 1, 'a', 0, 0, 0, 1, 0, 0, 0, 2,
                               0, 1, 'b', 0, 0, 0, 2,   0, 0, 0, 0, 0, 0, 0, 1}));
}

TEST(TxnRecords, MalformedValuesAreRejected) {
  const auto good = encode_txn_value(ongoing());
  for (std::size_t cut = 0; cut < good.size(); ++cut) {
    EXPECT_EQ(decode_txn_value("app-1", std::span(good.data(), cut)), std::nullopt)
        << "cut at " << cut;
  }
  auto bad_state = good;
  bad_state[16] = 42;
  EXPECT_EQ(decode_txn_value("app-1", bad_state), std::nullopt);
  auto bad_version = good;
  bad_version[1] = 9;
  EXPECT_EQ(decode_txn_value("app-1", bad_version), std::nullopt);
  auto huge_count = good;
  huge_count[17] = 0x7f;
  EXPECT_EQ(decode_txn_value("app-1", huge_count), std::nullopt);
}

}  // namespace
}  // namespace conveyor::txn
