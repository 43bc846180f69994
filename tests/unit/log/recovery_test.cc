// Recovery on open: torn and corrupt tails are truncated, missing or wrong
// indexes rebuilt, leftovers removed, and the recovery point limits the scan.
// A crash is simulated by closing the log and removing the clean marker (the
// files are then exactly what an unclean stop leaves), then damaging files.

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

class RecoveryTest : public ::testing::Test {
 protected:
  static LogConfig config() {
    LogConfig c;
    c.segment_bytes = 8192;
    c.index_interval_bytes = 256;
    c.segment_index_bytes = 4096;
    return c;
  }
  std::filesystem::path dir() const { return dir_.path() / "t-0"; }
  // The active segment's file (the greatest base offset).
  std::filesystem::path last_log_path() const {
    std::filesystem::path last;
    for (const auto& entry : std::filesystem::directory_iterator(dir())) {
      if (entry.path().extension() == ".log" && entry.path() > last) last = entry.path();
    }
    return last;
  }
  std::unique_ptr<DiskLog> open() {
    auto log = DiskLog::open(dir(), config(), nullptr, kNow);
    EXPECT_TRUE(log);
    return std::move(*log);
  }
  // Writes `batches` batches of 3 records, then "crashes".
  std::vector<std::uint64_t> write_and_crash(int batches, bool flush = false) {
    auto log = open();
    std::vector<std::uint64_t> sizes;
    for (int i = 0; i < batches; ++i) {
      auto bytes = BatchBuilder().records(3).value_size(50).timestamp(kNow + i).build();
      sizes.push_back(bytes.size());
      EXPECT_TRUE(log->append(bytes, 0, kNow));
    }
    if (flush) log->request_flush({});
    crash(std::move(log));
    return sizes;
  }
  void crash(std::unique_ptr<DiskLog> log) {
    // Keep the recovery point the flusher reached, not the one close() writes.
    const auto rp = log->recovery_point();
    const auto lso = log->log_start_offset();
    log.reset();
    std::filesystem::remove(files::clean_shutdown_path(dir()));
    ASSERT_TRUE(Checkpoint(files::checkpoint_path(dir())).write({{"recovery_point", rp}, {"log_start_offset", lso}}));
  }
  // Every batch of the log, read back one by one; checks contiguity and CRCs.
  static std::int64_t verify(DiskLog& log) {
    std::int64_t offset = log.log_start_offset();
    while (offset < log.log_end_offset()) {
      auto read = log.read(offset, 1 << 20, true);
      EXPECT_TRUE(read);
      const auto headers = testing::batch_headers(testing::slice_bytes(read->records));
      EXPECT_FALSE(headers.empty()) << offset;
      if (headers.empty()) return -1;
      for (const auto& h : headers) {
        EXPECT_EQ(h.base_offset, offset);
        offset = h.next_offset();
      }
    }
    for (const auto& segment : log.segments()) {
      // Indexes agree with the log: every entry points at a batch holding that offset.
      const auto& index = segment->offset_index();
      for (std::size_t i = 0; i < index.entries(); ++i) {
        const auto entry = index.entry(i);
        const auto h = segment->header_at(entry.position);
        EXPECT_TRUE(h);
        if (h) {
          EXPECT_EQ(h->last_offset(), entry.offset);
        }
      }
    }
    return offset;
  }
  TempDir dir_;
};

TEST_F(RecoveryTest, TornLastBatchIsTruncated) {
  write_and_crash(50);
  const auto path = last_log_path();
  const auto size = testing::file_size(path);
  std::filesystem::resize_file(path, size - 20);
  auto log = open();
  EXPECT_EQ(log->log_end_offset(), 49 * 3);
  EXPECT_GT(log->recovery_stats().bytes_truncated, 0u);
  EXPECT_LT(testing::file_size(path), size - 20);
  EXPECT_EQ(verify(*log), 49 * 3);
  auto bytes = BatchBuilder().build();
  EXPECT_EQ(log->append(bytes, 0, kNow)->base_offset, 147);
}

TEST_F(RecoveryTest, MissingIndexesAreRebuilt) {
  write_and_crash(200);  // several segments
  std::size_t removed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir())) {
    const auto ext = entry.path().extension();
    if (ext == ".index" || ext == ".timeindex") removed += std::filesystem::remove(entry.path());
  }
  EXPECT_GT(removed, 4u);
  auto log = open();
  EXPECT_GT(log->segment_count(), 2u);
  EXPECT_EQ(log->log_end_offset(), 600);
  EXPECT_EQ(verify(*log), 600);
  EXPECT_GT(log->segments().at(0).offset_index().entries(), 0u);
  EXPECT_EQ(log->offset_for_timestamp(kNow + 150)->offset, 450);
}

TEST_F(RecoveryTest, IndexPointingPastTheLogIsRebuilt) {
  {
    auto log = open();
    for (int i = 0; i < 200; ++i) {
      auto bytes = BatchBuilder().records(3).value_size(50).timestamp(kNow + i).build();
      ASSERT_TRUE(log->append(bytes, 0, kNow));
    }
    log->close();  // clean: the indexes are trusted unless they look wrong
  }
  const auto index = files::index_path(dir(), 0);
  const auto n = testing::file_size(index);
  testing::write_at(index, n - 4, {0x7F, 0xFF, 0xFF, 0x00});  // last position far past the log
  auto log = open();
  EXPECT_EQ(log->recovery_stats().segments_recovered, 1u);
  EXPECT_EQ(verify(*log), 600);
}

TEST_F(RecoveryTest, GarbageAfterTheLastBatchIsTruncated) {
  write_and_crash(20);
  const auto path = files::log_path(dir(), 0);
  const auto size = testing::file_size(path);
  std::vector<std::uint8_t> garbage(1000);
  for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<std::uint8_t>(i * 37 + 11);
  testing::append_bytes(path, garbage);
  auto log = open();
  EXPECT_EQ(testing::file_size(path), size);
  EXPECT_EQ(log->recovery_stats().bytes_truncated, 1000u);
  EXPECT_EQ(verify(*log), 60);
}

TEST_F(RecoveryTest, ZeroFilledTailIsTruncated) {
  write_and_crash(20);
  const auto path = files::log_path(dir(), 0);
  const auto size = testing::file_size(path);
  std::filesystem::resize_file(path, size + 4096);  // as a preallocated or torn file looks
  auto log = open();
  EXPECT_EQ(testing::file_size(path), size);
  EXPECT_EQ(verify(*log), 60);
}

TEST_F(RecoveryTest, BatchWhoseLengthPointsPastTheFileIsTruncated) {
  const auto sizes = write_and_crash(10);
  const auto path = files::log_path(dir(), 0);
  const auto last = testing::file_size(path) - sizes.back();
  testing::write_at(path, last + 8, {0x00, 0x10, 0x00, 0x00});  // batch_length = 1 MiB
  auto log = open();
  EXPECT_EQ(testing::file_size(path), last);
  EXPECT_EQ(verify(*log), 27);
}

TEST_F(RecoveryTest, CorruptBytesInTheMiddleTruncateThere) {
  const auto sizes = write_and_crash(10);
  const auto path = files::log_path(dir(), 0);
  // Flip a byte inside the 5th batch's records: its CRC fails.
  const std::uint64_t fifth = 4 * sizes[0];
  testing::write_at(path, fifth + 100, {0xEE});
  auto log = open();
  EXPECT_EQ(log->log_end_offset(), 12);
  EXPECT_EQ(testing::file_size(path), fifth);
  EXPECT_EQ(log->recovery_stats().bytes_truncated, 6 * sizes[0]);
  EXPECT_EQ(verify(*log), 12);
}

TEST_F(RecoveryTest, CorruptionInAnOlderSegmentDropsWhatFollows) {
  write_and_crash(200);  // offsets 0..599 over several segments, recovery point 0
  auto probe = open();
  ASSERT_GT(probe->segment_count(), 2u);
  const auto second = probe->segments().at(1).base_offset();
  const auto third = probe->segments().at(2).base_offset();
  crash(std::move(probe));
  testing::write_at(files::log_path(dir(), second), 200, {0xEE, 0xEE});
  auto log = open();
  EXPECT_LT(log->log_end_offset(), third);
  EXPECT_GE(log->log_end_offset(), second);
  EXPECT_GT(log->recovery_stats().segments_dropped, 0u);
  EXPECT_FALSE(std::filesystem::exists(files::log_path(dir(), third)));
  EXPECT_EQ(verify(*log), log->log_end_offset());
}

TEST_F(RecoveryTest, ZerosAfterAnOlderSegmentsDataKeepWhatFollows) {
  // A segment rolled just before the crash: the trim of its preallocated
  // zeros was not durable yet, and the next segment starts at its data's end.
  write_and_crash(200);
  auto probe = open();
  ASSERT_GT(probe->segment_count(), 2u);
  const auto second = probe->segments().at(1).base_offset();
  crash(std::move(probe));
  const auto path = files::log_path(dir(), second);
  const auto size = testing::file_size(path);
  std::filesystem::resize_file(path, size + 8192);
  auto log = open();
  EXPECT_EQ(log->log_end_offset(), 600);
  EXPECT_EQ(log->recovery_stats().segments_dropped, 0u);
  EXPECT_EQ(testing::file_size(path), size);
  EXPECT_EQ(verify(*log), 600);
}

TEST_F(RecoveryTest, ZerosWhereAnOlderSegmentsDataWasLostDropWhatFollows) {
  // Zeros in place of the last batch (written, never made durable): the next
  // segment no longer starts where this one ends, so the log stops here.
  const auto sizes = write_and_crash(200);
  auto probe = open();
  ASSERT_GT(probe->segment_count(), 2u);
  const auto second = probe->segments().at(1).base_offset();
  const auto third = probe->segments().at(2).base_offset();
  crash(std::move(probe));
  const auto path = files::log_path(dir(), second);
  const auto size = testing::file_size(path);
  std::filesystem::resize_file(path, size - sizes.back());
  std::filesystem::resize_file(path, size);
  auto log = open();
  EXPECT_EQ(log->log_end_offset(), third - 3);
  EXPECT_GT(log->recovery_stats().segments_dropped, 0u);
  EXPECT_FALSE(std::filesystem::exists(files::log_path(dir(), third)));
  EXPECT_EQ(verify(*log), third - 3);
}

TEST_F(RecoveryTest, RecoveryPointLimitsTheScan) {
  write_and_crash(200, /*flush=*/true);  // everything durable: recovery point = end
  auto log = open();
  EXPECT_FALSE(log->recovery_stats().clean_shutdown);
  EXPECT_EQ(log->recovery_stats().segments_recovered, 1u);  // only the one holding the point
  EXPECT_GT(log->recovery_stats().segments_loaded, 1u);
  EXPECT_EQ(verify(*log), 600);
}

TEST_F(RecoveryTest, LeftoversAndOrphanIndexesAreRemoved) {
  write_and_crash(5);
  testing::append_bytes(dir() / "00000000000000000000.log.deleted", {1, 2, 3});
  testing::append_bytes(dir() / "00000000000000000007.log.swap", {1, 2, 3});
  testing::append_bytes(dir() / "00000000000000009999.index", {1, 2, 3});
  testing::append_bytes(dir() / "partition.checkpoint.tmp", {'x'});
  auto log = open();
  EXPECT_FALSE(std::filesystem::exists(dir() / "00000000000000000000.log.deleted"));
  EXPECT_FALSE(std::filesystem::exists(dir() / "00000000000000000007.log.swap"));
  EXPECT_FALSE(std::filesystem::exists(dir() / "00000000000000009999.index"));
  EXPECT_FALSE(std::filesystem::exists(dir() / "partition.checkpoint.tmp"));
  EXPECT_EQ(verify(*log), 15);
}

TEST(Checkpoint, WritesAtomicallyAndRejectsMalformedFiles) {
  TempDir dir;
  Checkpoint checkpoint(dir / "cp");
  EXPECT_FALSE(checkpoint.read());
  ASSERT_TRUE(checkpoint.write({{"recovery_point", 42}, {"log_start_offset", 7}}));
  auto values = checkpoint.read();
  ASSERT_TRUE(values);
  EXPECT_EQ(values->at("recovery_point"), 42);
  EXPECT_EQ(values->at("log_start_offset"), 7);
  // A torn temp file from a crash during write leaves the old checkpoint in force.
  testing::append_bytes(dir / "cp.tmp", {'g', 'a', 'r'});
  EXPECT_EQ(checkpoint.read()->at("recovery_point"), 42);
  ASSERT_TRUE(checkpoint.write({{"recovery_point", 43}}));
  EXPECT_EQ(checkpoint.read()->at("recovery_point"), 43);
  EXPECT_FALSE(std::filesystem::exists(dir / "cp.tmp"));
  // Garbage in place of the file reads as "no checkpoint".
  std::filesystem::remove(dir / "cp");
  testing::append_bytes(dir / "cp", {'c', 'o', 'n', 'v', 'e', 'y', 'o', 'r', '-', 'c', 'h', 'e', 'c', 'k', 'p',
                                     'o', 'i', 'n', 't', ' ', '0', '\n', 'k', 'e', 'y'});
  EXPECT_FALSE(checkpoint.read());
}

}  // namespace
}  // namespace conveyor::log
