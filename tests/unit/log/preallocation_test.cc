// log.preallocate: zeros written ahead of the active segment's data, made
// durable in the background, so that group-commit rounds can flush appends as
// overwrites (one data write per file, one cache flush per device). These
// tests check what must hold whatever the disk: the bookkeeping of what is
// durable, that readers and restarts never see the zeros, that the rounds
// take the overwrite path once the zeros are durable, and that a failure is
// never forgotten. kill -9 with preallocation is in crash_test.cc.

#include "conveyor/log/preallocation.h"

#include <gtest/gtest.h>

#include <future>

#include "conveyor/log/disk_log.h"
#include "conveyor/log/file_io.h"
#include "conveyor/log/flush_scheduler.h"
#include "conveyor/log/log_files.h"
#include "conveyor/log/segment.h"
#include "log_test_support.h"

namespace conveyor::log {
namespace {

using testing::BatchBuilder;
using testing::temp_file;
using testing::TempDir;

constexpr std::int64_t kNow = 1'700'000'000'000;

TEST(Preallocation, DurableFollowsCompletedSyncsThatBeganAfterTheZeros) {
  TempDir dir;
  Preallocation p(temp_file(dir, "a"), 1);
  EXPECT_EQ(p.durable(), 0u);  // nothing is trusted before a sync
  p.zeroed_to(4096);
  EXPECT_TRUE(p.pending());
  const auto ticket = p.begin_sync();
  p.zeroed_to(8192);  // written during the sync: not covered by it
  p.end_sync(ticket, true);
  EXPECT_EQ(p.durable(), 4096u);
  EXPECT_TRUE(p.pending());
  p.end_sync(p.begin_sync(), true);
  EXPECT_EQ(p.durable(), 8192u);
  EXPECT_FALSE(p.pending());
}

TEST(Preallocation, ASyncThatBeganBeforeATruncationCannotRaiseDurable) {
  TempDir dir;
  Preallocation p(temp_file(dir, "a"), 1);
  p.zeroed_to(8192);
  const auto ticket = p.begin_sync();
  p.truncated_to(1000);
  p.end_sync(ticket, true);
  EXPECT_EQ(p.durable(), 0u);
  EXPECT_EQ(p.zeroed(), 1000u);
  p.end_sync(p.begin_sync(), true);
  EXPECT_EQ(p.durable(), 1000u);
  p.truncated_to(500);
  EXPECT_EQ(p.durable(), 500u);
}

TEST(Preallocation, AFailedSyncIsNeverForgotten) {
  TempDir dir;
  Preallocation p(temp_file(dir, "a"), 1);
  p.zeroed_to(4096);
  p.end_sync(p.begin_sync(), false);
  EXPECT_TRUE(p.failed());
  p.end_sync(p.begin_sync(), true);
  EXPECT_TRUE(p.failed());
  EXPECT_EQ(p.durable(), 0u);
}

// The batches a segment reads back from offset 0, CRCs checked.
std::size_t batches_read_back(const Segment& segment) {
  auto read = segment.read(0, 1 << 20, true, INT64_MAX);
  if (!read || !read->has_value()) return 0;
  EXPECT_EQ((*read)->size, segment.size());
  return testing::batch_headers(testing::slice_bytes(protocol::Records::file(**read))).size();
}

TEST(SegmentPreallocation, ZerosAheadAreInvisibleToReadsAndTrimmedOnSeal) {
  TempDir dir;
  auto segment = Segment::create(dir.path(), 0, 4096, 4096, kNow).value();
  auto bytes = BatchBuilder().records(3).value_size(100).build();
  std::vector<Segment::BatchMeta> metas{{2, kNow, static_cast<std::uint32_t>(bytes.size())}};
  ASSERT_TRUE(segment->append(bytes, metas));
  const auto path = files::log_path(dir.path(), 0);

  auto asked = segment->preallocate(64 * 1024, 1 << 20);
  ASSERT_TRUE(asked);
  EXPECT_TRUE(*asked);
  ASSERT_NE(segment->preallocation(), nullptr);
  EXPECT_EQ(testing::file_size(path), bytes.size());  // the shard writes no zeros itself
  EXPECT_FALSE(*segment->preallocate(64 * 1024, 1 << 20));  // far enough ahead already
  ASSERT_TRUE(segment->preallocation()->write_ahead());     // the flusher's thread
  EXPECT_EQ(testing::file_size(path), bytes.size() + 64 * 1024);
  EXPECT_EQ(segment->preallocation()->zeroed(), bytes.size() + 64 * 1024);
  EXPECT_EQ(segment->size(), bytes.size());
  EXPECT_EQ(batches_read_back(*segment), 1u);  // the zeros did not start at 0

  // Appends overwrite the zeros; reads end at the data.
  std::vector<Segment::BatchMeta> second{{5, kNow, static_cast<std::uint32_t>(bytes.size())}};
  ASSERT_TRUE(segment->append(bytes, second));
  EXPECT_EQ(testing::file_size(path), bytes.size() + 64 * 1024);
  EXPECT_EQ(batches_read_back(*segment), 2u);

  // Never past the limit (segment.bytes).
  ASSERT_TRUE(segment->preallocate(1 << 20, 100 * 1024));
  ASSERT_TRUE(segment->preallocation()->write_ahead());
  EXPECT_EQ(testing::file_size(path), 100u * 1024);

  ASSERT_TRUE(segment->seal());
  EXPECT_EQ(testing::file_size(path), 2 * bytes.size());
  EXPECT_EQ(segment->preallocation(), nullptr);
  EXPECT_FALSE(*segment->preallocate(64 * 1024, 1 << 20));  // sealed: no more zeros
}

TEST(SegmentPreallocation, ZerosAskedForButNotYetWrittenNeverLandOnDataThatOvertookThem) {
  TempDir dir;
  auto segment = Segment::create(dir.path(), 0, 4096, 4096, kNow).value();
  auto bytes = BatchBuilder().records(3).value_size(1000).build();
  std::int64_t last = -1;
  auto append = [&] {
    last += 3;
    std::vector<Segment::BatchMeta> metas{{last, kNow, static_cast<std::uint32_t>(bytes.size())}};
    return static_cast<bool>(segment->append(bytes, metas));
  };
  ASSERT_TRUE(append());
  const std::uint64_t lead = 4 * bytes.size() + 100;
  ASSERT_TRUE(*segment->preallocate(lead, 1 << 20));
  const auto preallocation = segment->preallocation();
  // The data runs past the zeros asked for before the flusher writes any.
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(append());
  ASSERT_TRUE(preallocation->write_ahead());
  EXPECT_EQ(batches_read_back(*segment), 7u);
  EXPECT_EQ(testing::file_size(files::log_path(dir.path(), 0)), 7 * bytes.size());

  // Zeros asked for again start past the data.
  ASSERT_TRUE(*segment->preallocate(lead, 1 << 20));
  ASSERT_TRUE(preallocation->write_ahead());
  EXPECT_EQ(testing::file_size(files::log_path(dir.path(), 0)), 7 * bytes.size() + lead);
  ASSERT_TRUE(append());
  EXPECT_EQ(batches_read_back(*segment), 8u);
}

TEST(SegmentPreallocation, ASealBeforeTheFlusherWritesTheZerosLeavesOnlyTheData) {
  TempDir dir;
  auto segment = Segment::create(dir.path(), 0, 4096, 4096, kNow).value();
  auto bytes = BatchBuilder().records(3).value_size(100).build();
  std::vector<Segment::BatchMeta> metas{{2, kNow, static_cast<std::uint32_t>(bytes.size())}};
  ASSERT_TRUE(segment->append(bytes, metas));
  ASSERT_TRUE(*segment->preallocate(64 * 1024, 1 << 20));
  const auto preallocation = segment->preallocation();
  ASSERT_TRUE(segment->seal());
  ASSERT_TRUE(preallocation->write_ahead());  // queued before the seal: writes nothing now
  EXPECT_EQ(testing::file_size(files::log_path(dir.path(), 0)), bytes.size());
}

class PreallocatedLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!io::overwrites_are_cheap(dir_.path()))
      GTEST_SKIP() << "log.preallocate is off on this file system";
  }
  static LogConfig config() {
    LogConfig c;
    c.preallocate = true;
    c.segment_bytes = 16 << 20;
    return c;
  }
  std::filesystem::path dir() const { return dir_.path() / "t-0"; }
  // Appends one batch and waits for its flush; returns the durable end offset.
  static std::int64_t append_durably(DiskLog& log) {
    auto bytes = BatchBuilder().records(10).value_size(200).timestamp(kNow).build();
    EXPECT_TRUE(log.append(bytes, 0, kNow));
    std::promise<std::int64_t> flushed;
    log.request_flush([&](std::int64_t end) { flushed.set_value(end); });
    return flushed.get_future().get();
  }
  static std::int64_t count_records(DiskLog& log) {
    std::int64_t offset = log.log_start_offset(), records = 0;
    while (offset < log.log_end_offset()) {
      auto read = log.read(offset, 1 << 20, true);
      EXPECT_TRUE(read);
      const auto headers = testing::batch_headers(testing::slice_bytes(read->records));
      if (headers.empty()) break;
      for (const auto& h : headers) {
        EXPECT_EQ(h.base_offset, offset);
        records += h.record_count;
        offset = h.next_offset();
      }
    }
    return records;
  }
  TempDir dir_;
};

TEST_F(PreallocatedLogTest, RoundsBecomeOverwritesOnceTheZerosAreDurable) {
  FlushScheduler flusher;
  auto log = DiskLog::open(dir(), config(), &flusher, kNow).value();
  EXPECT_EQ(append_durably(*log), 10);  // the first: a full fdatasync, zeros written after it
  // The zeros become durable in the background; until then rounds sync whole.
  std::int64_t expected = 10;
  for (int i = 0; i < 5000 && flusher.overwrite_count() == 0; ++i) {
    expected += 10;
    ASSERT_EQ(append_durably(*log), expected);
  }
  EXPECT_GE(flusher.instantiation_count(), 1u);
  EXPECT_GE(flusher.overwrite_count(), 1u) << "every round still took the fdatasync path";
  EXPECT_EQ(log->recovery_point(), expected);
  const auto path = files::log_path(dir(), 0);
  EXPECT_GT(testing::file_size(path),
            static_cast<std::uint64_t>(log->size_in_bytes()));  // zeros ahead

  log->close();
  EXPECT_EQ(testing::file_size(path), static_cast<std::uint64_t>(log->size_in_bytes()));
  auto reopened = DiskLog::open(dir(), config(), nullptr, kNow).value();
  EXPECT_TRUE(reopened->recovery_stats().clean_shutdown);
  EXPECT_EQ(count_records(*reopened), expected);
}

TEST_F(PreallocatedLogTest, ACrashLeavesZerosThatRecoveryTrimsWithoutLosingData) {
  // What a crash leaves: the files copied while the log is open (no trim, no
  // clean marker).
  const auto crashed = dir_.path() / "crashed-0";
  std::int64_t durable = 0;
  std::uint64_t data_bytes = 0;
  {
    FlushScheduler flusher;
    auto log = DiskLog::open(dir(), config(), &flusher, kNow).value();
    for (int i = 0; i < 20; ++i) durable = append_durably(*log);
    data_bytes = static_cast<std::uint64_t>(log->size_in_bytes());
    ASSERT_GT(testing::file_size(files::log_path(dir(), 0)), data_bytes);
    std::filesystem::copy(dir(), crashed);
  }
  auto log = DiskLog::open(crashed, config(), nullptr, kNow).value();
  EXPECT_FALSE(log->recovery_stats().clean_shutdown);
  EXPECT_EQ(log->log_end_offset(), durable);
  EXPECT_EQ(count_records(*log), durable);
  EXPECT_EQ(testing::file_size(files::log_path(crashed, 0)), data_bytes);
  EXPECT_EQ(log->recovery_stats().segments_dropped, 0u);
}

TEST_F(PreallocatedLogTest, RolledSegmentsAreTrimmedToTheirData) {
  FlushScheduler flusher;
  LogConfig c = config();
  c.segment_bytes = 64 * 1024;
  auto log = DiskLog::open(dir(), c, &flusher, kNow).value();
  for (int i = 0; i < 100; ++i) append_durably(*log);
  ASSERT_GT(log->segment_count(), 2u);
  for (const auto& segment : log->segments()) {
    if (segment.get() == &log->segments().active()) continue;
    EXPECT_EQ(testing::file_size(files::log_path(dir(), segment->base_offset())), segment->size());
  }
  log->close();
  auto reopened = DiskLog::open(dir(), c, nullptr, kNow).value();
  EXPECT_EQ(count_records(*reopened), 1000);
}

TEST_F(PreallocatedLogTest, AFailedPreallocationStillFailsFlushesAfterItsSegmentRolled) {
  // A failed background sync may have been the descriptor's only report of
  // lost pages: once the segment is sealed, a whole-file fdatasync of it
  // would succeed and must not vouch for them.
  FlushScheduler flusher;
  LogConfig c = config();
  c.segment_bytes = 64 * 1024;
  auto log = DiskLog::open(dir(), c, &flusher, kNow).value();
  ASSERT_EQ(append_durably(*log), 10);
  const auto preallocation = log->segments().active().preallocation();
  ASSERT_NE(preallocation, nullptr);
  preallocation->mark_failed();
  const auto first = log->segments().active().base_offset();
  while (log->segments().active().base_offset() == first) {
    auto bytes = BatchBuilder().records(10).value_size(200).timestamp(kNow).build();
    ASSERT_TRUE(log->append(bytes, 0, kNow));
  }
  std::promise<std::int64_t> flushed;
  log->request_flush([&](std::int64_t end) { flushed.set_value(end); });
  EXPECT_EQ(flushed.get_future().get(), -1);
}

TEST(RoundSync, AFailedPreallocationFailsEveryLaterRoundOfItsFile) {
  TempDir dir;
  const auto file = temp_file(dir, "a");
  auto preallocation = std::make_shared<Preallocation>(file, 1);
  std::vector<std::uint8_t> block(8192, 0);
  ASSERT_TRUE(io::pwrite_full(file->fd(), block, 0));
  preallocation->zeroed_to(8192);
  preallocation->end_sync(preallocation->begin_sync(), true);
  FlushScheduler flusher;
  auto flush = [&](std::uint64_t from, std::uint64_t to) {
    FlushTarget target = FlushTarget::whole(file);
    target.preallocation = preallocation;
    target.from = from;
    target.to = to;
    std::promise<std::int64_t> done;
    flusher.request_flush({target}, 7, [&](std::int64_t end) { done.set_value(end); });
    return done.get_future().get();
  };
  EXPECT_EQ(flush(0, 4096), 7);
  EXPECT_EQ(flusher.sync_count(), 1u);  // the only overwrite on its device carries the flush
  preallocation->mark_failed();
  EXPECT_EQ(flush(4096, 8192), -1);
}

TEST(RoundSync, RangesPastTheDurableBlocksGetAFullSyncAndOthersShareOneFlush) {
  TempDir dir;
  const auto a = temp_file(dir, "a"), b = temp_file(dir, "b"), c = temp_file(dir, "c");
  const auto device = static_cast<dev_t>(io::device_of(a->fd()));
  std::vector<std::shared_ptr<Preallocation>> preallocations;
  std::vector<std::uint8_t> block(8192, 0);
  for (const auto& file : {a, b, c}) {
    ASSERT_TRUE(io::pwrite_full(file->fd(), block, 0));
    auto p = std::make_shared<Preallocation>(file, device);
    p->zeroed_to(8192);
    p->end_sync(p->begin_sync(), true);
    preallocations.push_back(p);
  }
  FlushScheduler flusher(/*start=*/false);
  std::vector<FlushTarget> targets;
  for (std::size_t i = 0; i < 3; ++i) {
    FlushTarget t = FlushTarget::whole(preallocations[i]->file());
    t.preallocation = preallocations[i];
    t.from = 0;
    t.to = i == 2 ? 16384 : 4096;  // c's range runs past its durable blocks
    targets.push_back(t);
  }
  std::promise<std::int64_t> done;
  flusher.request_flush(targets, 3, [&](std::int64_t end) { done.set_value(end); });
  flusher.start();
  EXPECT_EQ(done.get_future().get(), 3);
  // a and b on one device: one written back, one fdatasync'd (carrying the
  // flush); c fdatasync'd for its metadata.
  EXPECT_EQ(flusher.overwrite_count(), 1u);
  EXPECT_EQ(flusher.sync_count(), 2u);
}

}  // namespace
}  // namespace conveyor::log
