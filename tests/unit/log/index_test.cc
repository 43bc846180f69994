// OffsetIndex and TimeIndex on real files: append, lookups, trim and reopen,
// the cheap consistency checks recovery relies on.

#include <gtest/gtest.h>

#include "conveyor/log/log_files.h"
#include "conveyor/log/offset_index.h"
#include "conveyor/log/time_index.h"
#include "log_test_support.h"

namespace conveyor::log {
namespace {

using testing::TempDir;

TEST(OffsetIndex, LookupFindsLastEntryAtOrBelow) {
  TempDir dir;
  OffsetIndex index(100);
  ASSERT_TRUE(index.open(dir / "a.index", 80, true));
  EXPECT_EQ(index.max_entries(), 10u);
  EXPECT_EQ(index.lookup(150).offset, 100);
  EXPECT_EQ(index.lookup(150).position, 0u);
  for (int i = 1; i <= 5; ++i) index.append(100 + i * 10, static_cast<std::uint32_t>(i * 1000));
  EXPECT_EQ(index.entries(), 5u);
  EXPECT_EQ(index.lookup(99).position, 0u);
  EXPECT_EQ(index.lookup(109).position, 0u);
  EXPECT_EQ(index.lookup(110).position, 1000u);
  EXPECT_EQ(index.lookup(125).position, 2000u);
  EXPECT_EQ(index.lookup(1000).position, 5000u);
  EXPECT_FALSE(index.lookup_by_position(999).has_value());
  EXPECT_EQ(index.lookup_by_position(3500)->offset, 130);
  // Non-increasing entries are skipped.
  index.append(150, 4000);
  index.append(140, 6000);
  EXPECT_EQ(index.entries(), 5u);
}

TEST(OffsetIndex, FullIndexAcceptsNoMoreAndTrimKeepsEntries) {
  TempDir dir;
  const auto path = dir / "b.index";
  {
    OffsetIndex index(0);
    ASSERT_TRUE(index.open(path, 24, true));
    EXPECT_EQ(testing::file_size(path), 24u);  // preallocated
    for (int i = 1; i <= 5; ++i) index.append(i, static_cast<std::uint32_t>(i * 10));
    EXPECT_TRUE(index.full());
    EXPECT_EQ(index.entries(), 3u);
    ASSERT_TRUE(index.file().trim());
    EXPECT_EQ(testing::file_size(path), 24u);
  }
  OffsetIndex reopened(0);
  ASSERT_TRUE(reopened.open(path, 24, false));
  EXPECT_EQ(reopened.entries(), 3u);
  EXPECT_EQ(reopened.lookup(2).position, 20u);
  EXPECT_TRUE(reopened.plausible(100));
  EXPECT_FALSE(reopened.plausible(30));  // last entry at 30 is not inside a 30-byte log
}

TEST(OffsetIndex, BigEndianKafkaLayout) {
  TempDir dir;
  const auto path = dir / "c.index";
  {
    OffsetIndex index(1000);
    ASSERT_TRUE(index.open(path, 800, true));
    index.append(1002, 0x01020304);
    ASSERT_TRUE(index.file().trim());
  }
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_EQ(bytes.size(), 8u);
  EXPECT_EQ(std::vector<char>(bytes.begin(), bytes.end()), (std::vector<char>{0, 0, 0, 2, 1, 2, 3, 4}));
}

TEST(TimeIndex, MonotonicEntriesAndLookup) {
  TempDir dir;
  TimeIndex index(50);
  ASSERT_TRUE(index.open(dir / "a.timeindex", 1200, true));
  index.maybe_append(100, 55);
  index.maybe_append(90, 60);   // not above the last timestamp: skipped
  index.maybe_append(100, 61);  // equal: skipped
  index.maybe_append(200, 70);
  index.maybe_append(-1, 80);   // no timestamp
  ASSERT_EQ(index.entries(), 2u);
  EXPECT_FALSE(index.last_before(100).has_value());
  EXPECT_EQ(index.last_before(101)->offset, 55);
  EXPECT_EQ(index.last_before(200)->offset, 55);
  EXPECT_EQ(index.last_before(201)->offset, 70);
  EXPECT_TRUE(index.plausible());
}

TEST(LogFiles, NamesAndParsing) {
  EXPECT_EQ(files::offset_stem(42), "00000000000000000042");
  EXPECT_EQ(files::log_path("/d", 7).filename(), "00000000000000000007.log");
  EXPECT_EQ(files::parse_base_offset("00000000000000000042.log", ".log"), 42);
  EXPECT_FALSE(files::parse_base_offset("00000000000000000042.index", ".log"));
  EXPECT_FALSE(files::parse_base_offset("0000000000000000004x.log", ".log"));
  EXPECT_TRUE(files::is_leftover("00000000000000000042.log.deleted"));
  EXPECT_TRUE(files::is_leftover("partition.checkpoint.tmp"));
  const auto tp = files::parse_partition_dir_name("my-topic-12");
  ASSERT_TRUE(tp);
  EXPECT_EQ(tp->topic, "my-topic");
  EXPECT_EQ(tp->partition, 12);
  EXPECT_FALSE(files::parse_partition_dir_name("nodash"));
  EXPECT_FALSE(files::parse_partition_dir_name("topic-x"));
  EXPECT_EQ(files::partition_dir_name("t", 3), "t-3");
}

}  // namespace
}  // namespace conveyor::log
