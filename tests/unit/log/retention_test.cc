// Retention by time and size, DeleteRecords and the log start offset: whole
// segments only, never the active one, the start offset checkpointed.

#include <gtest/gtest.h>

#include "conveyor/log/checkpoint.h"
#include "conveyor/log/disk_log.h"
#include "conveyor/log/log_files.h"
#include "log_test_support.h"

namespace conveyor::log {
namespace {

using testing::BatchBuilder;
using testing::TempDir;

constexpr std::int64_t kNow = 1'700'000'000'000;

class RetentionTest : public ::testing::Test {
 protected:
  std::unique_ptr<DiskLog> open(LogConfig config) {
    auto log = DiskLog::open(dir_.path() / "t-0", config, nullptr, kNow);
    EXPECT_TRUE(log);
    return std::move(*log);
  }
  static LogConfig config() {
    LogConfig c;
    c.segment_bytes = 1000;
    c.index_interval_bytes = 100;
    c.segment_index_bytes = 1024;
    return c;
  }
  // One batch per segment roll: ~ 900-byte batches.
  static void fill(DiskLog& log, int batches, std::int64_t first_timestamp, std::int64_t step) {
    for (int i = 0; i < batches; ++i) {
      auto bytes = BatchBuilder().records(1).value_size(800).timestamp(first_timestamp + i * step).build();
      ASSERT_TRUE(log.append(bytes, 0, kNow));
    }
  }
  TempDir dir_;
};

TEST_F(RetentionTest, DeletesSegmentsOlderThanRetentionMs) {
  auto c = config();
  c.retention_ms = 10'000;
  auto log = open(c);
  fill(*log, 6, kNow, 5'000);  // segment i: timestamp kNow + 5000 i
  ASSERT_EQ(log->segment_count(), 6u);
  // At kNow + 21000: segments 0..2 (<= kNow + 10000) are older than 10 s.
  auto deleted = log->enforce_retention(kNow + 21'000);
  ASSERT_TRUE(deleted);
  EXPECT_EQ(*deleted, 3u);
  EXPECT_EQ(log->log_start_offset(), 3);
  EXPECT_FALSE(std::filesystem::exists(files::log_path(log->dir(), 0)));
  EXPECT_FALSE(std::filesystem::exists(files::index_path(log->dir(), 0)));
  EXPECT_EQ(log->read(2, 1000, true).error(), LogError::offset_out_of_range);
  EXPECT_TRUE(log->read(3, 1000, true));
  // Far in the future everything expired, but the active segment stays.
  EXPECT_EQ(*log->enforce_retention(kNow + 1'000'000), 2u);
  EXPECT_EQ(log->segment_count(), 1u);
  EXPECT_EQ(log->log_start_offset(), 5);
  const auto values = Checkpoint(files::checkpoint_path(log->dir())).read();
  ASSERT_TRUE(values);
  EXPECT_EQ(values->at("log_start_offset"), 5);
}

TEST_F(RetentionTest, DeletesOldestSegmentsBeyondRetentionBytes) {
  auto c = config();
  c.retention_ms = -1;
  auto log = open(c);
  fill(*log, 6, kNow, 0);
  const auto segment_size = static_cast<std::int64_t>(log->segments().at(0).size());
  // Kafka's rule: delete the oldest segment while the log stays at or above
  // retention.bytes without it, so 3 segments of 6 go here...
  c.retention_bytes = 3 * segment_size - 10;
  log->update_config(c);
  EXPECT_EQ(*log->enforce_retention(kNow), 3u);
  EXPECT_EQ(log->size_in_bytes(), 3 * segment_size);
  EXPECT_EQ(*log->enforce_retention(kNow), 0u);
  // ... and none when that would take the log below the limit.
  c.retention_bytes = 2 * segment_size + 10;
  log->update_config(c);
  EXPECT_EQ(*log->enforce_retention(kNow), 0u);
}

TEST_F(RetentionTest, NothingIsDeletedWithoutTheDeletePolicy) {
  auto c = config();
  c.retention_ms = 1;
  c.cleanup_delete = false;
  c.cleanup_compact = true;
  auto log = open(c);
  fill(*log, 4, kNow, 0);
  EXPECT_EQ(*log->enforce_retention(kNow + 1'000'000), 0u);
  EXPECT_EQ(log->segment_count(), 4u);
}

TEST_F(RetentionTest, DeleteRecordsMovesTheLogStartOffset) {
  auto log = open(config());
  fill(*log, 5, kNow, 0);  // offsets 0..4, one per segment
  auto moved = log->delete_records_before(2);
  ASSERT_TRUE(moved);
  EXPECT_EQ(*moved, 2);
  EXPECT_EQ(log->log_start_offset(), 2);
  EXPECT_EQ(log->segment_count(), 3u);
  EXPECT_EQ(log->read(1, 1000, true).error(), LogError::offset_out_of_range);
  // Going back is a no-op; past the high watermark is out of range.
  EXPECT_EQ(*log->delete_records_before(1), 2);
  EXPECT_EQ(log->delete_records_before(6).error(), LogError::offset_out_of_range);
  // The start offset survives a restart (checkpointed).
  log.reset();
  log = open(config());
  EXPECT_EQ(log->log_start_offset(), 2);
  // Up to the log end: everything goes, appends continue at the end.
  EXPECT_EQ(*log->delete_records_before(5), 5);
  EXPECT_EQ(log->segment_count(), 1u);
  EXPECT_EQ(log->size_in_bytes(), 0);
  auto read = log->read(5, 1000, true);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->records.size(), 0u);
  auto bytes = BatchBuilder().build();
  EXPECT_EQ(log->append(bytes, 0, kNow)->base_offset, 5);
}

TEST_F(RetentionTest, StartOffsetInsideASegmentHidesItsEarlierBatches) {
  auto c = config();
  c.segment_bytes = 1 << 20;
  auto log = open(c);
  for (int i = 0; i < 10; ++i) {
    auto bytes = BatchBuilder().records(2).timestamp(kNow + i).build();
    ASSERT_TRUE(log->append(bytes, 0, kNow));
  }
  ASSERT_TRUE(log->delete_records_before(7));
  EXPECT_EQ(log->segment_count(), 1u);
  EXPECT_EQ(log->read(6, 1000, true).error(), LogError::offset_out_of_range);
  // Reading at 7 returns the whole batch holding it (6..7); the client skips 6.
  auto headers = testing::batch_headers(testing::slice_bytes(log->read(7, 1 << 20, true)->records));
  EXPECT_EQ(headers.front().base_offset, 6);
  EXPECT_EQ(log->offset_for_timestamp(0)->offset, 7);
}

}  // namespace
}  // namespace conveyor::log
