// Idempotent producers in the log: sequence and epoch rules (producer_state.h),
// snapshots (producer_snapshot.h), and a DiskLog that answers retries with
// the original offsets across clean restarts, crashes, rolls and retention.

#include <gtest/gtest.h>

#include <fstream>

#include "conveyor/log/disk_log.h"
#include "conveyor/log/log_files.h"
#include "conveyor/log/producer_snapshot.h"
#include "conveyor/log/producer_state.h"
#include "log_test_support.h"

namespace conveyor::log {
namespace {

using testing::BatchBuilder;
using testing::TempDir;

constexpr std::int64_t kNow = 1'700'000'000'000;
constexpr std::int64_t kProducer = 4242;

protocol::RecordBatchHeader batch(std::int64_t producer, std::int16_t epoch, std::int32_t sequence,
                                  std::int32_t records = 1, std::int64_t timestamp = kNow) {
  protocol::RecordBatchHeader h;
  h.producer_id = producer;
  h.producer_epoch = epoch;
  h.base_sequence = sequence;
  h.last_offset_delta = records - 1;
  h.record_count = records;
  h.max_timestamp = timestamp;
  return h;
}

// Checks one batch alone and, when accepted, commits it at `offset`.
Result<std::optional<ProducerBatch>, LogError> write(ProducerStateTable& table, const protocol::RecordBatchHeader& h,
                                                     std::int64_t offset) {
  ProducerAppend append(table);
  auto checked = append.add(h, offset);
  if (checked && !checked.value()) std::move(append).commit(table);
  return checked;
}

TEST(ProducerStateTest, UnknownProducerStartsAtAnySequenceThenMustContinue) {
  ProducerStateTable table;
  ASSERT_TRUE(write(table, batch(kProducer, 0, 7, 3), 100));
  EXPECT_EQ(table.find(kProducer)->last_sequence(), 9);
  EXPECT_EQ(table.find(kProducer)->last_offset(), 102);
  ASSERT_TRUE(write(table, batch(kProducer, 0, 10), 103));
  const auto gap = write(table, batch(kProducer, 0, 12), 104);
  ASSERT_FALSE(gap);
  EXPECT_EQ(gap.error(), LogError::out_of_order_sequence);
  EXPECT_EQ(table.find(kProducer)->last_sequence(), 10) << "a rejected batch changes nothing";
}

TEST(ProducerStateTest, RetryOfAnyOfTheLastFiveBatchesIsADuplicate) {
  ProducerStateTable table;
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(write(table, batch(kProducer, 0, i * 2, 2), 10 * i));
  for (int i = 2; i < 7; ++i) {
    const auto retry = write(table, batch(kProducer, 0, i * 2, 2), 999);
    ASSERT_TRUE(retry);
    ASSERT_TRUE(retry.value().has_value()) << "batch " << i;
    EXPECT_EQ(retry.value()->first_offset, 10 * i);
    EXPECT_EQ(retry.value()->last_offset, 10 * i + 1);
  }
  // Older than the five kept: Kafka calls it out of order, not a duplicate.
  const auto old = write(table, batch(kProducer, 0, 2, 2), 999);
  ASSERT_FALSE(old);
  EXPECT_EQ(old.error(), LogError::out_of_order_sequence);
  // A retry with a different record count is not the same batch.
  EXPECT_FALSE(write(table, batch(kProducer, 0, 12, 1), 999));
}

TEST(ProducerStateTest, EpochRules) {
  ProducerStateTable table;
  ASSERT_TRUE(write(table, batch(kProducer, 3, 0, 5), 0));
  const auto fenced = write(table, batch(kProducer, 2, 5), 5);
  ASSERT_FALSE(fenced);
  EXPECT_EQ(fenced.error(), LogError::invalid_producer_epoch);
  const auto not_zero = write(table, batch(kProducer, 4, 5), 5);
  ASSERT_FALSE(not_zero);
  EXPECT_EQ(not_zero.error(), LogError::out_of_order_sequence);
  ASSERT_TRUE(write(table, batch(kProducer, 4, 0), 5));
  EXPECT_EQ(table.find(kProducer)->epoch, 4);
  EXPECT_EQ(table.find(kProducer)->batches.size(), 1u) << "a new epoch forgets the old batches";
}

TEST(ProducerStateTest, SequenceWrapsAfterIntMax) {
  ProducerStateTable table;
  ASSERT_TRUE(write(table, batch(kProducer, 0, INT32_MAX - 1, 2), 0));
  EXPECT_EQ(table.find(kProducer)->last_sequence(), INT32_MAX);
  ASSERT_TRUE(write(table, batch(kProducer, 0, 0), 2));
  EXPECT_EQ(table.find(kProducer)->last_sequence(), 0);
  ASSERT_TRUE(write(table, batch(kProducer + 1, 0, INT32_MAX, 3), 3));
  EXPECT_EQ(table.find(kProducer + 1)->last_sequence(), 1) << "INT32_MAX, 0, 1";
  ASSERT_TRUE(write(table, batch(kProducer + 1, 0, 2), 6));
}

TEST(ProducerStateTest, BatchesOfOneAppendAreCheckedInOrderAndCommittedTogether) {
  ProducerStateTable table;
  {
    ProducerAppend append(table);
    ASSERT_TRUE(append.add(batch(kProducer, 0, 0, 2), 0));
    ASSERT_TRUE(append.add(batch(kProducer, 0, 2, 2), 2)) << "continues the batch before it in the same append";
    const auto gap = append.add(batch(kProducer, 0, 9), 4);
    ASSERT_FALSE(gap);
    // Dropped without commit: the table never saw any of it.
  }
  EXPECT_EQ(table.find(kProducer), nullptr);
  ProducerAppend append(table);
  ASSERT_TRUE(append.add(batch(kProducer, 0, 0, 2), 0));
  ASSERT_TRUE(append.add(batch(kProducer + 1, 0, 0), 2));
  std::move(append).commit(table);
  EXPECT_EQ(table.size(), 2u);
}

TEST(ProducerStateTest, BatchesWithoutProducerIdAreNotTrackedAndBadFieldsAreRejected) {
  ProducerStateTable table;
  ASSERT_TRUE(write(table, batch(-1, -1, -1), 0));
  EXPECT_EQ(table.size(), 0u);
  const auto no_sequence = write(table, batch(kProducer, 0, -1), 0);
  ASSERT_FALSE(no_sequence);
  EXPECT_EQ(no_sequence.error(), LogError::invalid_record);
}

TEST(ProducerStateTest, ExpiryForgetsIdleProducers) {
  ProducerStateTable table;
  ASSERT_TRUE(write(table, batch(1, 0, 0, 1, kNow - 10'000), 0));
  ASSERT_TRUE(write(table, batch(2, 0, 0, 1, kNow - 10), 1));
  EXPECT_EQ(table.expire(kNow, 5'000), 1u);
  EXPECT_EQ(table.find(1), nullptr);
  ASSERT_NE(table.find(2), nullptr);
  // After expiry the producer is unknown again and may continue where it was.
  EXPECT_TRUE(write(table, batch(1, 0, 1), 2));
}

TEST(ProducerSnapshotTest, RoundTripKeepsTheLastFiveBatchesOfEveryProducer) {
  TempDir dir;
  ProducerStateTable table;
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(write(table, batch(kProducer, 2, i * 3, 3), 100 + 3 * i));
  ASSERT_TRUE(write(table, batch(7, 0, INT32_MAX, 2), 500));  // a wrapped sequence range
  ASSERT_TRUE(write_producer_snapshot(dir.path(), 502, table, true));
  const auto loaded = read_producer_snapshot(files::snapshot_path(dir.path(), 502));
  ASSERT_TRUE(loaded);
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ(*loaded->find(kProducer), *table.find(kProducer));
  EXPECT_EQ(*loaded->find(7), *table.find(7));
  EXPECT_EQ(loaded->find(7)->batches.back().first_sequence, INT32_MAX);
  EXPECT_EQ(loaded->find(7)->batches.back().last_sequence, 0);
}

TEST(ProducerSnapshotTest, DamagedOrShortFilesAreRejected) {
  TempDir dir;
  ProducerStateTable table;
  ASSERT_TRUE(write(table, batch(kProducer, 0, 0, 3), 0));
  ASSERT_TRUE(write_producer_snapshot(dir.path(), 3, table, false));
  const auto path = files::snapshot_path(dir.path(), 3);
  ASSERT_TRUE(read_producer_snapshot(path));
  testing::write_at(path, 20, {0xff});
  EXPECT_FALSE(read_producer_snapshot(path)) << "CRC mismatch";
  std::filesystem::resize_file(path, 5);
  EXPECT_FALSE(read_producer_snapshot(path));
  EXPECT_FALSE(read_producer_snapshot(dir.path() / "missing.snapshot"));
}

class IdempotentLogTest : public ::testing::Test {
 protected:
  static LogConfig config() {
    LogConfig c;
    c.segment_bytes = 1024;
    c.index_interval_bytes = 256;
    c.segment_index_bytes = 4096;
    return c;
  }
  std::filesystem::path dir() const { return dir_.path() / "t-0"; }
  std::unique_ptr<DiskLog> open() {
    auto log = DiskLog::open(dir(), config(), nullptr, kNow);
    EXPECT_TRUE(log);
    return std::move(*log);
  }
  static Result<AppendResult, LogError> send(DiskLog& log, std::int32_t sequence, int records = 2,
                                             std::int16_t epoch = 0) {
    auto bytes = BatchBuilder().records(records).value_size(100).timestamp(kNow).producer(kProducer, epoch, sequence).build();
    return log.append(bytes, 0, kNow);
  }
  // An unclean stop: no snapshot at the end, no clean marker.
  void crash(std::unique_ptr<DiskLog> log) {
    const auto end = log->log_end_offset();
    log.reset();
    std::filesystem::remove(files::clean_shutdown_path(dir()));
    std::filesystem::remove(files::snapshot_path(dir(), end));
  }
  // Sends 12 batches of 2 records (sequences 0, 2, ..., 22): several segments.
  std::unique_ptr<DiskLog> write_twelve() {
    auto log = open();
    for (int i = 0; i < 12; ++i) {
      auto r = send(*log, 2 * i);
      EXPECT_TRUE(r);
      EXPECT_EQ(r->base_offset, 2 * i);
    }
    EXPECT_GT(log->segment_count(), 2u);
    return log;
  }
  // Each of the last five batches, sent again, comes back with its offset and adds nothing.
  static void expect_retries_deduplicated(DiskLog& log) {
    const auto end = log.log_end_offset();
    for (int i = 7; i < 12; ++i) {
      auto r = send(log, 2 * i);
      ASSERT_TRUE(r) << to_string(r.error());
      EXPECT_TRUE(r->duplicate);
      EXPECT_EQ(r->base_offset, 2 * i);
      EXPECT_EQ(r->last_offset, 2 * i + 1);
    }
    EXPECT_EQ(log.log_end_offset(), end);
    auto next = send(log, 24);
    ASSERT_TRUE(next);
    EXPECT_FALSE(next->duplicate);
    EXPECT_EQ(next->base_offset, end);
  }
  TempDir dir_;
};

TEST_F(IdempotentLogTest, RetriesAreAnsweredWithTheOriginalOffsets) {
  auto log = write_twelve();
  expect_retries_deduplicated(*log);
  const auto gap = send(*log, 40);
  ASSERT_FALSE(gap);
  EXPECT_EQ(gap.error(), LogError::out_of_order_sequence);
  const auto bumped_mid_sequence = send(*log, 26, 1, /*epoch=*/1);
  ASSERT_FALSE(bumped_mid_sequence);
  EXPECT_EQ(bumped_mid_sequence.error(), LogError::out_of_order_sequence);
  ASSERT_TRUE(send(*log, 0, 1, /*epoch=*/1));
  const auto fenced = send(*log, 26, 1, /*epoch=*/0);
  ASSERT_FALSE(fenced);
  EXPECT_EQ(fenced.error(), LogError::invalid_producer_epoch);
}

TEST_F(IdempotentLogTest, StateSurvivesACleanRestartWithoutReplay) {
  write_twelve()->close();
  auto log = open();
  EXPECT_EQ(log->recovery_stats().producer_snapshot_offset, 24);
  EXPECT_EQ(log->recovery_stats().producer_batches_replayed, 0u);
  expect_retries_deduplicated(*log);
}

TEST_F(IdempotentLogTest, StateIsRebuiltFromTheLastRollSnapshotAfterACrash) {
  crash(write_twelve());
  auto log = open();
  EXPECT_GT(log->recovery_stats().producer_snapshot_offset, 0) << "the snapshot written at the last roll";
  EXPECT_GT(log->recovery_stats().producer_batches_replayed, 0u);
  EXPECT_LT(log->recovery_stats().producer_batches_replayed, 12u) << "only the tail after that snapshot";
  expect_retries_deduplicated(*log);
}

TEST_F(IdempotentLogTest, StateIsRebuiltFromTheWholeLogWithoutSnapshots) {
  crash(write_twelve());
  for (const auto& entry : std::filesystem::directory_iterator(dir())) {
    if (entry.path().extension() == ".snapshot") std::filesystem::remove(entry.path());
  }
  auto log = open();
  EXPECT_EQ(log->recovery_stats().producer_snapshot_offset, -1);
  EXPECT_EQ(log->recovery_stats().producer_batches_replayed, 12u);
  expect_retries_deduplicated(*log);
}

TEST_F(IdempotentLogTest, ASnapshotBeyondTheRecoveredLogIsIgnored) {
  auto log = write_twelve();
  log->close();
  log.reset();
  // A snapshot that claims more than the log holds (its batches were lost).
  std::filesystem::copy_file(files::snapshot_path(dir(), 24), files::snapshot_path(dir(), 30));
  log = open();
  EXPECT_EQ(log->recovery_stats().producer_snapshot_offset, 24);
  EXPECT_FALSE(std::filesystem::exists(files::snapshot_path(dir(), 30)));
}

TEST_F(IdempotentLogTest, RetentionDeletesSnapshotsWithTheirSegments) {
  auto log = write_twelve();
  ASSERT_TRUE(log->delete_records_before(20));
  for (const auto& entry : std::filesystem::directory_iterator(dir())) {
    if (entry.path().extension() != ".snapshot") continue;
    const auto offset = files::parse_base_offset(entry.path().filename().string(), files::kSnapshotSuffix);
    ASSERT_TRUE(offset);
    EXPECT_GE(*offset, log->segments().front().base_offset());
  }
  expect_retries_deduplicated(*log);
}

}  // namespace
}  // namespace conveyor::log

namespace conveyor::log {
namespace {

// Transactions in the log: markers end a producer's open transaction, the
// last stable offset waits for the oldest open one, aborts are indexed in
// .txnindex files that survive restarts and crashes.
class TransactionLogTest : public IdempotentLogTest {
 protected:
  static Result<AppendResult, LogError> send_txn(DiskLog& log, std::int64_t producer, std::int32_t sequence,
                                                 int records = 2, std::int16_t epoch = 0) {
    auto bytes = BatchBuilder()
                     .records(records)
                     .value_size(100)
                     .timestamp(kNow)
                     .producer(producer, epoch, sequence)
                     .transactional()
                     .build();
    return log.append(bytes, 0, kNow);
  }
  static AppendResult end(DiskLog& log, std::int64_t producer, bool commit, std::int16_t epoch = 0) {
    auto r = log.append_marker(TxnMarker{producer, epoch, 3, commit}, 0, kNow);
    EXPECT_TRUE(r) << to_string(r.error());
    return *r;
  }
};

TEST_F(TransactionLogTest, LastStableOffsetWaitsForTheOldestOpenTransaction) {
  auto log = open();
  ASSERT_TRUE(send(*log, 0));                // 0-1: idempotent, no transaction
  EXPECT_EQ(log->last_stable_offset(), 2);
  ASSERT_TRUE(send_txn(*log, 1, 0));         // 2-3: producer 1 opens a transaction
  ASSERT_TRUE(send_txn(*log, 2, 0));         // 4-5: producer 2 too
  ASSERT_TRUE(send_txn(*log, 1, 2));         // 6-7
  EXPECT_EQ(log->last_stable_offset(), 2);
  EXPECT_EQ(end(*log, 1, true).base_offset, 8);
  EXPECT_EQ(log->last_stable_offset(), 4) << "producer 2's transaction is still open";
  EXPECT_EQ(end(*log, 2, false).base_offset, 9);
  EXPECT_EQ(log->last_stable_offset(), 10);
  auto read = log->read(0, 1 << 20, true);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->last_stable_offset, 10);
  const auto aborted = log->aborted_transactions(0, 10);
  ASSERT_EQ(aborted.size(), 1u);
  EXPECT_EQ(aborted[0], (AbortedTxn{2, 4, 9, 10}));
  EXPECT_TRUE(log->aborted_transactions(10, 20).empty()) << "marker before the fetch offset";
  EXPECT_TRUE(log->aborted_transactions(0, 4).empty()) << "transaction starts at the upper bound";
}

TEST_F(TransactionLogTest, APlainBatchDuringTheProducersTransactionIsRefused) {
  auto log = open();
  ASSERT_TRUE(send_txn(*log, kProducer, 0));
  const auto plain = send(*log, 2);  // same producer, not transactional
  ASSERT_FALSE(plain);
  EXPECT_EQ(plain.error(), LogError::invalid_txn_state);
  end(*log, kProducer, true);
  EXPECT_TRUE(send(*log, 2)) << "after its marker the producer may write plain batches again";
}

TEST_F(TransactionLogTest, MarkersFenceOlderEpochs) {
  auto log = open();
  ASSERT_TRUE(send_txn(*log, 1, 0, 2, /*epoch=*/0));
  end(*log, 1, false, /*epoch=*/1);  // the coordinator aborted it with a bumped epoch
  const auto zombie = send_txn(*log, 1, 2, 2, /*epoch=*/0);
  ASSERT_FALSE(zombie);
  EXPECT_EQ(zombie.error(), LogError::invalid_producer_epoch);
  const auto old_marker = log->append_marker(TxnMarker{1, 0, 3, true}, 0, kNow);
  ASSERT_FALSE(old_marker);
  EXPECT_EQ(old_marker.error(), LogError::invalid_producer_epoch);
  ASSERT_TRUE(send_txn(*log, 1, 0, 2, /*epoch=*/1)) << "the new epoch starts at sequence 0";
}

TEST_F(TransactionLogTest, AbortedTransactionsAndOpenOnesSurviveRestartAndCrash) {
  std::vector<AbortedTxn> expected;
  {
    auto log = open();
    std::int32_t sequence = 0;
    for (int i = 0; i < 6; ++i) {
      const auto first = send_txn(*log, 1, sequence);
      ASSERT_TRUE(first);
      sequence += 2;
      ASSERT_TRUE(send_txn(*log, 1, sequence));
      sequence += 2;
      const auto marker = end(*log, 1, /*commit=*/i % 2 == 0);
      if (i % 2 == 1) expected.push_back(AbortedTxn{1, first->base_offset, marker.base_offset, marker.base_offset + 1});
    }
    ASSERT_TRUE(send_txn(*log, 2, 0));  // left open
    EXPECT_GT(log->segment_count(), 2u);
    EXPECT_EQ(log->aborted_transactions(0, INT64_MAX), expected);
    log->close();
  }
  {
    auto log = open();
    EXPECT_EQ(log->aborted_transactions(0, INT64_MAX), expected) << "from the .txnindex files";
    EXPECT_EQ(log->last_stable_offset(), log->log_end_offset() - 2) << "producer 2's transaction is still open";
    crash(std::move(log));
  }
  auto log = open();
  EXPECT_EQ(log->aborted_transactions(0, INT64_MAX), expected) << "files up to the snapshot, replay after it";
  EXPECT_EQ(log->last_stable_offset(), log->log_end_offset() - 2);
  end(*log, 2, true);
  EXPECT_EQ(log->last_stable_offset(), log->log_end_offset());
}

TEST_F(TransactionLogTest, DeletedSegmentsTakeTheirAbortedTransactionsWithThem) {
  auto log = open();
  std::int32_t sequence = 0;
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(send_txn(*log, 1, sequence));
    sequence += 2;
    end(*log, 1, false);
  }
  ASSERT_EQ(log->aborted_transactions(0, INT64_MAX).size(), 8u);
  const auto cut = log->log_end_offset() - 3;
  ASSERT_TRUE(log->delete_records_before(cut));
  const auto front = log->segments().front().base_offset();
  for (const auto& aborted : log->aborted_transactions(0, INT64_MAX)) EXPECT_GE(aborted.last_offset, front);
  for (const auto& entry : std::filesystem::directory_iterator(dir())) {
    const auto base = files::parse_base_offset(entry.path().filename().string(), files::kTxnIndexSuffix);
    if (base) {
      EXPECT_GE(*base, front);
    }
  }
}

}  // namespace
}  // namespace conveyor::log
