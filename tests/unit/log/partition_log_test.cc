// DiskLog: append and read round trips, offsets, index lookups at every offset
// of a many-segment log, roll rules, rejected batches, LogAppendTime, the
// KIP-74 read rule, and lookups by timestamp.

#include <gtest/gtest.h>

#include "conveyor/log/disk_log.h"
#include "conveyor/log/log_files.h"
#include "log_test_support.h"

namespace conveyor::log {
namespace {

using testing::BatchBuilder;
using testing::TempDir;

constexpr std::int64_t kNow = 1'700'000'000'000;

LogConfig small_config() {
  LogConfig config;
  config.segment_bytes = 4096;
  config.index_interval_bytes = 256;
  config.segment_index_bytes = 4096;
  return config;
}

class PartitionLogTest : public ::testing::Test {
 protected:
  std::unique_ptr<DiskLog> open(LogConfig config = small_config(), std::int64_t now = kNow) {
    auto log = DiskLog::open(dir_.path() / "t-0", config, nullptr, now);
    EXPECT_TRUE(log) << to_string(log.error());
    return std::move(*log);
  }
  static AppendResult append(DiskLog& log, BatchBuilder builder, std::int64_t now = kNow) {
    auto bytes = builder.build();
    auto result = log.append(bytes, 7, now);
    EXPECT_TRUE(result) << to_string(result.error());
    return *result;
  }
  // Appends `batches` batches of records_of(i) records of value_of(i) bytes,
  // timestamps kNow + i; returns, per offset, the base offset of its batch.
  template <typename RecordsOf, typename ValueOf>
  static std::vector<std::int64_t> append_batches(DiskLog& log, int batches, RecordsOf records_of, ValueOf value_of) {
    std::vector<std::int64_t> batch_of;
    for (int i = 0; i < batches; ++i) {
      const int records = records_of(i);
      const auto r = append(log, BatchBuilder().records(records).value_size(value_of(i)).timestamp(kNow + i));
      for (int j = 0; j < records; ++j) batch_of.push_back(r.base_offset);
    }
    return batch_of;
  }
  // A one-batch read at `offset` returns exactly the batch starting at `base`.
  static void expect_batch_at(DiskLog& log, std::int64_t offset, std::int64_t base) {
    auto read = log.read(offset, 1, true);
    ASSERT_TRUE(read) << offset;
    const auto headers = testing::batch_headers(testing::slice_bytes(read->records));
    ASSERT_EQ(headers.size(), 1u) << offset;
    EXPECT_EQ(headers[0].base_offset, base) << offset;
    EXPECT_LE(headers[0].base_offset, offset);
    EXPECT_GE(headers[0].last_offset(), offset);
  }
  static std::vector<protocol::RecordBatchHeader> read_headers(DiskLog& log, std::int64_t offset,
                                                               std::uint32_t max_bytes = 1 << 20) {
    auto r = log.read(offset, max_bytes, true);
    EXPECT_TRUE(r);
    return testing::batch_headers(testing::slice_bytes(r->records));
  }
  TempDir dir_;
};

TEST_F(PartitionLogTest, AppendThenReadRoundTrip) {
  auto log = open();
  EXPECT_EQ(log->log_end_offset(), 0);
  auto batch = BatchBuilder().records(3).timestamp(kNow).build();
  const auto original = batch;
  auto r = log->append(batch, 7, kNow);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->base_offset, 0);
  EXPECT_EQ(r->last_offset, 2);
  EXPECT_EQ(r->record_count, 3);
  EXPECT_EQ(r->log_append_time, -1);
  EXPECT_EQ(log->log_end_offset(), 3);
  EXPECT_EQ(log->high_watermark(), 3);

  auto read = log->read(0, 1 << 20, true);
  ASSERT_TRUE(read);
  ASSERT_TRUE(read->records.is_file());
  const auto bytes = testing::slice_bytes(read->records);
  ASSERT_EQ(bytes.size(), original.size());
  // Same bytes except base offset (0 anyway) and leader epoch; CRC untouched.
  EXPECT_TRUE(std::equal(bytes.begin() + 16, bytes.end(), original.begin() + 16));
  const auto headers = testing::batch_headers(bytes);
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].partition_leader_epoch, 7);
  EXPECT_EQ(read->high_watermark, 3);
  EXPECT_EQ(read->log_start_offset, 0);
}

TEST_F(PartitionLogTest, OffsetsAreAssignedContiguouslyAcrossRequests) {
  auto log = open();
  std::int64_t expected = 0;
  for (int i = 1; i <= 10; ++i) {
    const auto r = append(*log, BatchBuilder().records(i).timestamp(kNow));
    EXPECT_EQ(r.base_offset, expected);
    expected += i;
    EXPECT_EQ(r.last_offset, expected - 1);
  }
  // Several batches in one request are all or nothing, offsets continue.
  auto a = BatchBuilder().records(2).build(), b = BatchBuilder().records(3).build();
  auto both = conveyor::testing::concat({a, b});
  const auto r = log->append(both, 1, kNow);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->base_offset, expected);
  EXPECT_EQ(r->last_offset, expected + 4);
  const auto headers = read_headers(*log, expected);
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[0].base_offset, expected);
  EXPECT_EQ(headers[1].base_offset, expected + 2);
}

TEST_F(PartitionLogTest, EveryOffsetOfAManySegmentLogIsFound) {
  auto log = open();
  const auto batch_of = append_batches(*log, 300, [](int i) { return 1 + i % 4; }, [](int i) { return 20 + i % 50; });
  EXPECT_GT(log->segment_count(), 5u);
  for (std::int64_t offset = 0; offset < log->log_end_offset(); ++offset) {
    expect_batch_at(*log, offset, batch_of[static_cast<std::size_t>(offset)]);
  }
  // The index is sparse: about one entry per index.interval.bytes of log.
  for (const auto& segment : log->segments()) {
    const auto expected = segment->size() / (256 + 150);
    EXPECT_GE(segment->offset_index().entries() + 2, expected);
    EXPECT_LE(segment->offset_index().entries(), segment->size() / 256 + 1);
  }
}

// With an index entry for every batch, a lookup reads the batch after the
// floor entry directly (Segment::locate); every offset, including each
// batch's last, must still land in its own batch.
TEST_F(PartitionLogTest, EveryOffsetIsFoundWhenEveryBatchHasAnIndexEntry) {
  LogConfig config = small_config();
  config.index_interval_bytes = 0;
  auto log = open(config);
  const auto batch_of = append_batches(*log, 200, [](int i) { return 1 + i % 3; }, [](int) { return 30; });
  EXPECT_GT(log->segment_count(), 2u);
  for (const auto& segment : log->segments()) {
    EXPECT_GE(segment->offset_index().entries() + 1, static_cast<std::size_t>(segment->next_offset() - segment->base_offset()) / 3);
  }
  for (std::int64_t offset = 0; offset < log->log_end_offset(); ++offset) {
    expect_batch_at(*log, offset, batch_of[static_cast<std::size_t>(offset)]);
  }
}

// log.segments.open.max: only that many closed segments keep their files
// open; the others are reopened when read, and reads, time lookups and
// retention still work across them.
TEST_F(PartitionLogTest, OnlyTheMostRecentlyReadClosedSegmentsKeepTheirFilesOpen) {
  LogConfig config = small_config();
  config.segments_open_max = 2;
  auto log = open(config);
  const auto batch_of = append_batches(*log, 200, [](int) { return 2; }, [](int) { return 40; });
  ASSERT_GE(log->segment_count(), 8u);
  auto open_closed_segments = [&] {
    std::size_t n = 0;
    for (const auto& segment : log->segments()) {
      if (segment.get() != &log->segments().active() && segment->files_open()) ++n;
    }
    return n;
  };
  // A flush names released segments too: it reopens them to sync them.
  log->request_flush({});
  EXPECT_EQ(log->recovery_point(), log->log_end_offset());
  for (std::int64_t offset = 0; offset < log->log_end_offset(); ++offset) {
    expect_batch_at(*log, offset, batch_of[static_cast<std::size_t>(offset)]);
    EXPECT_LE(open_closed_segments(), 2u) << offset;
  }
  EXPECT_EQ(open_closed_segments(), 2u);
  // A time lookup in a released segment reopens it.
  ASSERT_FALSE(log->segments().front().files_open());
  const auto found = log->offset_for_timestamp(kNow + 1);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->offset, 2);
  EXPECT_LE(open_closed_segments(), 2u);
  // Retention deletes released segments' files.
  const auto first_dir_entries = std::distance(std::filesystem::directory_iterator(dir_.path() / "t-0"),
                                               std::filesystem::directory_iterator());
  ASSERT_TRUE(log->delete_records_before(batch_of[batch_of.size() / 2]));
  EXPECT_LT(std::distance(std::filesystem::directory_iterator(dir_.path() / "t-0"), std::filesystem::directory_iterator()),
            first_dir_entries);
  // After a restart the same bound holds from the start.
  log.reset();
  log = open(config);
  EXPECT_LE(open_closed_segments(), 2u);
  auto read = log->read(log->log_start_offset(), 1, true);
  ASSERT_TRUE(read);
  EXPECT_EQ(testing::batch_headers(testing::slice_bytes(read->records)).size(), 1u);
}

TEST_F(PartitionLogTest, ReadAtLogEndIsEmptyAndOutsideIsOutOfRange) {
  auto log = open();
  append(*log, BatchBuilder().records(5));
  auto at_end = log->read(5, 1000, true);
  ASSERT_TRUE(at_end);
  EXPECT_EQ(at_end->records.size(), 0u);
  EXPECT_FALSE(at_end->records.is_null());
  auto past = log->read(6, 1000, true);
  ASSERT_FALSE(past);
  EXPECT_EQ(past.error(), LogError::offset_out_of_range);
  auto negative = log->read(-1, 1000, true);
  ASSERT_FALSE(negative);
  EXPECT_EQ(negative.error(), LogError::offset_out_of_range);
}

TEST_F(PartitionLogTest, MaxBytesKeepsWholeBatchesAndMinOneBatch) {
  auto log = open();
  const std::size_t size = BatchBuilder().records(2).value_size(100).build().size();
  for (int i = 0; i < 5; ++i) append(*log, BatchBuilder().records(2).value_size(100));
  auto two = log->read(0, static_cast<std::uint32_t>(2 * size + size / 2), false);
  ASSERT_TRUE(two);
  EXPECT_EQ(two->records.size(), 2 * size);
  // The first batch alone is larger than max_bytes: KIP-74 returns it anyway...
  auto one = log->read(2, 10, true);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->records.size(), size);
  // ... unless the caller already has data for this response.
  auto none = log->read(2, 10, false);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->records.size(), 0u);
}

TEST_F(PartitionLogTest, ReadsStopAtMaxOffset) {
  auto log = open();
  for (int i = 0; i < 5; ++i) append(*log, BatchBuilder().records(2));
  auto r = log->read(0, 1 << 20, true, 6);
  ASSERT_TRUE(r);
  const auto headers = testing::batch_headers(testing::slice_bytes(r->records));
  ASSERT_EQ(headers.size(), 3u);
  EXPECT_EQ(headers.back().last_offset(), 5);
  auto above = log->read(6, 1 << 20, true, 6);
  ASSERT_TRUE(above);
  EXPECT_EQ(above->records.size(), 0u);
}

TEST_F(PartitionLogTest, RollsOnSegmentBytes) {
  auto log = open();
  const auto batch_size = BatchBuilder().records(1).value_size(1000).build().size();
  for (int i = 0; i < 4; ++i) append(*log, BatchBuilder().records(1).value_size(1000));
  EXPECT_EQ(log->segment_count(), 2u);  // 3 batches fit in 4096 bytes, the 4th rolls
  EXPECT_EQ(log->segments().at(0).size(), 3 * batch_size);
  EXPECT_EQ(log->segments().at(1).base_offset(), 3);
  EXPECT_TRUE(std::filesystem::exists(files::log_path(log->dir(), 3)));
  // The rolled segment's indexes were trimmed.
  EXPECT_EQ(testing::file_size(files::index_path(log->dir(), 0)),
            log->segments().at(0).offset_index().entries() * OffsetIndex::kEntrySize);
  EXPECT_EQ(testing::file_size(files::index_path(log->dir(), 3)), 4096u / 8 * 8);
}

TEST_F(PartitionLogTest, RollsOnSegmentMs) {
  auto config = small_config();
  config.segment_ms = 1000;
  auto log = open(config);
  append(*log, BatchBuilder().timestamp(kNow), kNow);
  append(*log, BatchBuilder().timestamp(kNow + 1000), kNow + 1000);
  EXPECT_EQ(log->segment_count(), 1u);
  append(*log, BatchBuilder().timestamp(kNow + 1001), kNow + 1001);
  EXPECT_EQ(log->segment_count(), 2u);
  EXPECT_EQ(log->segments().active().base_offset(), 2);
}

TEST_F(PartitionLogTest, RollsWhenTheIndexIsFull) {
  auto config = small_config();
  config.segment_bytes = 1 << 20;
  config.index_interval_bytes = 0;   // an entry for every batch after the first
  config.segment_index_bytes = 48;   // four time index entries, six offset entries
  auto log = open(config);
  for (int i = 0; i < 12; ++i) append(*log, BatchBuilder().timestamp(kNow + i));
  EXPECT_GE(log->segment_count(), 3u);
  for (const auto& segment : log->segments()) EXPECT_LE(segment->time_index().entries(), 4u);
  EXPECT_EQ(read_headers(*log, 0).front().base_offset, 0);
}

TEST_F(PartitionLogTest, RejectedBatchesWriteNothing) {
  auto config = small_config();
  config.max_message_bytes = 500;
  auto log = open(config);
  append(*log, BatchBuilder().records(2));
  const auto size_before = log->size_in_bytes();
  auto expect_rejected = [&](std::vector<std::uint8_t> bytes, LogError error) {
    auto r = log->append(bytes, 0, kNow);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), error) << to_string(r.error());
    EXPECT_EQ(log->size_in_bytes(), size_before);
    EXPECT_EQ(log->log_end_offset(), 2);
  };
  const auto good = BatchBuilder().records(2).build();

  auto bad_crc = good;
  bad_crc.back() ^= 0xFF;
  // A good batch followed by a bad one: nothing of either is written.
  expect_rejected(conveyor::testing::concat({good, bad_crc}), LogError::corrupt_message);

  auto magic1 = good;
  magic1[protocol::batch_offsets::kMagic] = 1;
  expect_rejected(magic1, LogError::unsupported_magic);

  expect_rejected(BatchBuilder().records(1).value_size(600).build(), LogError::message_too_large);

  expect_rejected(std::vector<std::uint8_t>(good.begin(), good.end() - 5), LogError::corrupt_message);
  expect_rejected(std::vector<std::uint8_t>(good.begin(), good.begin() + 30), LogError::corrupt_message);

  auto wrong_count = good;
  protocol::store_be32(wrong_count.data() + protocol::batch_offsets::kRecordCount, 1);
  protocol::update_crc(wrong_count);
  expect_rejected(wrong_count, LogError::invalid_record);

  expect_rejected({}, LogError::invalid_record);
}

TEST_F(PartitionLogTest, RequestLargerThanASegmentIsRecordListTooLarge) {
  auto log = open();
  auto big = BatchBuilder().records(1).value_size(5000).build();
  auto r = log->append(big, 0, kNow);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), LogError::record_list_too_large);
  EXPECT_EQ(log->size_in_bytes(), 0);
}

TEST_F(PartitionLogTest, TimestampsOutsideTheAllowedDifferenceAreRejected) {
  auto config = small_config();
  config.timestamp_difference_max_ms = 60'000;
  auto log = open(config);
  auto old = BatchBuilder().timestamp(kNow - 120'000).build();
  auto r = log->append(old, 0, kNow);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), LogError::invalid_timestamp);
  auto fine = BatchBuilder().timestamp(kNow - 30'000).build();
  EXPECT_TRUE(log->append(fine, 0, kNow));
}

TEST_F(PartitionLogTest, LogAppendTimeRewritesTimestampsAndCrc) {
  auto config = small_config();
  config.timestamp_type = protocol::TimestampType::log_append_time;
  auto log = open(config);
  const auto r = append(*log, BatchBuilder().records(3).timestamp(5), kNow + 42);
  EXPECT_EQ(r.log_append_time, kNow + 42);
  const auto headers = read_headers(*log, 0);  // batch_headers checks the CRC
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].max_timestamp, kNow + 42);
  EXPECT_EQ(headers[0].timestamp_type(), protocol::TimestampType::log_append_time);
  EXPECT_EQ(log->max_timestamp()->timestamp, kNow + 42);
}

TEST_F(PartitionLogTest, OffsetForTimestampUsesTheTimeIndex) {
  auto log = open();
  // Batch i holds offsets 2i, 2i+1 with timestamps kNow + 10i (+1).
  for (int i = 0; i < 200; ++i) append(*log, BatchBuilder().records(2).timestamp(kNow + 10 * i, 1));
  EXPECT_GT(log->segment_count(), 3u);
  for (int i = 0; i < 200; i += 7) {
    const auto found = log->offset_for_timestamp(kNow + 10 * i);
    ASSERT_TRUE(found) << i;
    EXPECT_EQ(found->offset, 2 * i) << i;
    EXPECT_EQ(found->timestamp, kNow + 10 * i);
    // The second record of the batch, found inside it.
    const auto second = log->offset_for_timestamp(kNow + 10 * i + 1);
    ASSERT_TRUE(second);
    EXPECT_EQ(second->offset, 2 * i + 1);
    EXPECT_EQ(second->timestamp, kNow + 10 * i + 1);
    // Between batches: the next batch.
    const auto between = log->offset_for_timestamp(kNow + 10 * i + 5);
    ASSERT_TRUE(between);
    EXPECT_EQ(between->offset, 2 * (i + 1));
  }
  EXPECT_EQ(log->offset_for_timestamp(0)->offset, 0);
  EXPECT_FALSE(log->offset_for_timestamp(kNow + 10 * 200));
  const auto max = log->max_timestamp();
  ASSERT_TRUE(max);
  EXPECT_EQ(max->timestamp, kNow + 1991);
  EXPECT_EQ(max->offset, 399);
}

TEST_F(PartitionLogTest, OutOfOrderTimestampsKeepTheTimeIndexMonotonic) {
  auto config = small_config();
  config.index_interval_bytes = 0;
  auto log = open(config);
  const std::int64_t stamps[] = {100, 300, 200, 400, 50, 500};
  for (auto t : stamps) append(*log, BatchBuilder().timestamp(kNow + t));
  const auto& index = log->segments().active().time_index();
  for (std::size_t i = 1; i < index.entries(); ++i) {
    EXPECT_LT(index.entry(i - 1).timestamp, index.entry(i).timestamp);
  }
  EXPECT_EQ(log->offset_for_timestamp(kNow + 250)->offset, 1);
  EXPECT_EQ(log->offset_for_timestamp(kNow + 301)->offset, 3);
  EXPECT_EQ(log->max_timestamp()->offset, 5);
}

TEST_F(PartitionLogTest, ReopenAfterCleanCloseScansNothing) {
  std::int64_t end = 0;
  std::vector<std::size_t> index_entries;
  {
    auto log = open();
    for (int i = 0; i < 100; ++i) append(*log, BatchBuilder().records(3).timestamp(kNow + i));
    end = log->log_end_offset();
    for (const auto& segment : log->segments()) index_entries.push_back(segment->offset_index().entries());
    log->close();
    EXPECT_TRUE(std::filesystem::exists(files::clean_shutdown_path(log->dir())));
  }
  auto log = open();
  EXPECT_TRUE(log->recovery_stats().clean_shutdown);
  EXPECT_EQ(log->recovery_stats().segments_recovered, 0u);
  ASSERT_EQ(log->segment_count(), index_entries.size());
  for (std::size_t i = 0; i < index_entries.size(); ++i) {
    EXPECT_GT(index_entries[i], 0u);
    EXPECT_EQ(log->segments().at(i).offset_index().entries(), index_entries[i]);  // loaded, not rebuilt
  }
  EXPECT_FALSE(std::filesystem::exists(files::clean_shutdown_path(log->dir())));
  EXPECT_EQ(log->log_end_offset(), end);
  EXPECT_EQ(log->recovery_point(), end);
  EXPECT_EQ(log->max_timestamp()->timestamp, kNow + 99);
  EXPECT_EQ(read_headers(*log, end - 1).front().last_offset(), end - 1);
  const auto r = append(*log, BatchBuilder());
  EXPECT_EQ(r.base_offset, end);
}

TEST_F(PartitionLogTest, UpdateConfigAppliesToLaterAppends) {
  auto log = open();
  auto config = small_config();
  config.max_message_bytes = 100;
  log->update_config(config);
  auto big = BatchBuilder().value_size(200).build();
  auto r = log->append(big, 0, kNow);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), LogError::message_too_large);
}

}  // namespace
}  // namespace conveyor::log
