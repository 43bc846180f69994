// Compaction (cleanup.policy=compact): the latest record per key survives at
// its offset, batches keep their offset ranges, reads skip what was removed,
// tombstones go delete.retention.ms after the pass that first kept them, the
// active segment is never touched, keyless records are refused on append,
// compressed batches are rebuilt with their codec, and `.cleaned` / `.swap`
// leftovers from a crash are resolved on open. The clock is `now_ms`.

#include <gtest/gtest.h>

#include <future>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "conveyor/log/disk_log.h"
#include "conveyor/log/log_cleaner.h"
#include "conveyor/log/log_files.h"
#include "conveyor/log/log_manager.h"
#include "conveyor/protocol/record_batch.h"
#include "log_test_support.h"

namespace conveyor::log {
namespace {

using protocol::CompressionType;
using testing::TempDir;

constexpr std::int64_t kNow = 1'700'000'000'000;

struct KV {
  std::optional<std::string> key;
  std::optional<std::string> value;  // nullopt: a tombstone
};

struct Rec {
  std::int64_t offset = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  bool operator==(const Rec&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Rec& r) {
  return os << r.offset << ":" << r.key.value_or("<null>") << "=" << r.value.value_or("<null>");
}

protocol::NullableBytes bytes_of(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  return protocol::BytesView(reinterpret_cast<const std::uint8_t*>(s->data()), s->size());
}

std::optional<std::string> string_of(const protocol::NullableBytes& b) {
  if (!b) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(b->data()), b->size());
}

std::vector<std::uint8_t> make_batch(const std::vector<KV>& kvs, std::int64_t timestamp,
                                     CompressionType codec = CompressionType::none) {
  protocol::RecordBatchBuilder builder;
  builder.set_compression(codec);
  for (const auto& kv : kvs) builder.add(timestamp, bytes_of(kv.key), bytes_of(kv.value));
  return builder.build().value();
}

protocol::ReadOptions read_options() {
  protocol::ReadOptions options;
  options.max_decompressed = 1 << 24;
  options.allow_offset_gaps = true;
  return options;
}

// Every record and batch header from the log start to the end, read the way
// a consumer would: fetch at the next offset after the last batch seen.
struct LogContents {
  std::vector<Rec> records;
  std::vector<protocol::RecordBatchHeader> batches;
};

LogContents read_all(PartitionLog& log) {
  LogContents out;
  std::int64_t offset = log.log_start_offset();
  while (offset < log.log_end_offset()) {
    auto read = log.read(offset, 1 << 20, true);
    EXPECT_TRUE(read) << offset;
    if (!read) break;
    const auto bytes = testing::slice_bytes(read->records);
    const auto headers = testing::batch_headers(bytes);
    if (headers.empty()) break;
    std::size_t pos = 0;
    for (const auto& h : headers) {
      const auto batch = std::span<const std::uint8_t>(bytes).subspan(pos, h.size_in_bytes());
      pos += h.size_in_bytes();
      auto parsed = protocol::RecordBatch::read(batch, read_options());
      EXPECT_TRUE(parsed) << "batch at " << h.base_offset;
      if (!parsed) return out;
      for (const auto& r : parsed->records()) {
        out.records.push_back(Rec{parsed->offset_of(r), string_of(r.key), string_of(r.value)});
      }
      out.batches.push_back(h);
      offset = h.next_offset();
    }
  }
  return out;
}

// What was appended, and what compaction should leave of it.
class Model {
 public:
  void appended(std::int64_t base, const std::vector<KV>& kvs) {
    for (std::size_t i = 0; i < kvs.size(); ++i) {
      records_.push_back(Rec{base + static_cast<std::int64_t>(i), kvs[i].key, kvs[i].value});
    }
    ranges_.insert({base, base + static_cast<std::int64_t>(kvs.size()) - 1});
  }
  // Below `clean_end`: the latest record per key (tombstones too unless
  // `drop_tombstones`), keyless records dropped; from it on, everything.
  std::vector<Rec> expected(std::int64_t clean_end, bool drop_tombstones = false) const {
    std::map<std::string, std::int64_t> latest;
    for (const auto& r : records_) {
      if (r.offset < clean_end && r.key) latest[*r.key] = r.offset;
    }
    std::vector<Rec> out;
    for (const auto& r : records_) {
      if (r.offset >= clean_end) {
        out.push_back(r);
      } else if (r.key && latest[*r.key] == r.offset && (r.value || !drop_tombstones)) {
        out.push_back(r);
      }
    }
    return out;
  }
  const std::vector<Rec>& all() const { return records_; }
  bool is_original_range(std::int64_t first, std::int64_t last) const { return ranges_.contains({first, last}); }

 private:
  std::vector<Rec> records_;
  std::set<std::pair<std::int64_t, std::int64_t>> ranges_;
};

class CompactionTest : public ::testing::Test {
 protected:
  static LogConfig config() {
    LogConfig c;
    c.segment_bytes = 200;  // two or three small batches per segment
    c.index_interval_bytes = 64;
    c.segment_index_bytes = 1024;
    c.cleanup_compact = true;
    c.cleanup_delete = false;
    c.delete_retention_ms = 10'000;
    return c;
  }
  std::filesystem::path dir() const { return dir_.path() / "t-0"; }
  std::unique_ptr<DiskLog> open(const LogConfig& c, const std::filesystem::path& where) {
    auto log = DiskLog::open(where, c, nullptr, kNow);
    EXPECT_TRUE(log);
    return log ? std::move(*log) : nullptr;
  }
  std::unique_ptr<DiskLog> open(const LogConfig& c) { return open(c, dir()); }
  void append(DiskLog& log, const std::vector<KV>& kvs, CompressionType codec = CompressionType::none) {
    auto bytes = make_batch(kvs, kNow, codec);
    auto r = log.append(bytes, 0, kNow);
    ASSERT_TRUE(r) << to_string(r.error());
    model_.appended(r->base_offset, kvs);
  }
  // A history where most keys are overwritten, over several segments, with
  // an active segment that also overwrites "a".
  void fill(DiskLog& log) {
    append(log, {{"a", "a1"}});
    append(log, {{"b", "b1"}});
    append(log, {{"a", "a2"}});
    append(log, {{"c", "c1"}});
    append(log, {{"b", "b2"}});
    append(log, {{"a", "a3"}, {"d", "d1"}, {"c", "c2"}});  // partly superseded below
    append(log, {{"e", "e1"}});
    append(log, {{"c", "c3"}});
    append(log, {{"f", "f1"}});
    append(log, {{"g", "g1"}});
    append(log, {{"a", "a9"}});
  }
  TempDir dir_;
  Model model_;
};

TEST_F(CompactionTest, KeepsTheLatestValuePerKeyAtItsOffset) {
  auto log = open(config());
  fill(*log);
  ASSERT_GE(log->segment_count(), 4u);
  const std::int64_t active_base = log->segments().active().base_offset();
  const auto before = log->segment_count();

  const auto stats = log->compact(kNow);
  ASSERT_TRUE(stats);
  EXPECT_TRUE(stats->cleaned);
  EXPECT_DOUBLE_EQ(stats->dirty_ratio, 1.0);
  EXPECT_EQ(stats->first_uncleanable_offset, active_base);
  EXPECT_GT(stats->records_removed, 0);
  EXPECT_LE(log->segment_count(), before);
  EXPECT_EQ(log->cleaner_offset(), active_base);

  const auto contents = read_all(*log);
  EXPECT_EQ(contents.records, model_.expected(active_base));
  // Every batch left covers exactly the offsets it covered when appended.
  for (const auto& h : contents.batches) {
    EXPECT_TRUE(model_.is_original_range(h.base_offset, h.last_offset())) << h.base_offset;
  }
  EXPECT_EQ(log->log_end_offset(), model_.all().back().offset + 1);
  EXPECT_EQ(log->size_in_bytes(), [&] {
    std::int64_t sum = 0;
    for (const auto& s : log->segments()) sum += static_cast<std::int64_t>(s->size());
    return sum;
  }());

  // The same after a restart (indexes rebuilt and sealed, checkpoint kept).
  log.reset();
  log = open(config());
  EXPECT_EQ(read_all(*log).records, model_.expected(active_base));
  EXPECT_EQ(log->cleaner_offset(), active_base);
  // Nothing new is dirty: the next pass has nothing to do.
  EXPECT_FALSE(log->compact(kNow)->cleaned);
}

TEST_F(CompactionTest, SmallCleanedSegmentsAreGroupedUnderSegmentBytes) {
  auto c = config();
  auto log = open(c);
  for (int i = 0; i < 30; ++i) append(*log, {{"k" + std::to_string(i % 3), "v" + std::to_string(i)}});
  const std::size_t before = log->segment_count();
  ASSERT_GE(before, 8u);
  c.segment_bytes = 1 << 20;  // now every closed segment fits in one
  log->update_config(c);
  const auto stats = log->compact(kNow);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->segments_read, before - 1);
  EXPECT_EQ(stats->segments_written, 1u);
  EXPECT_EQ(log->segment_count(), 2u);
  EXPECT_EQ(read_all(*log).records, model_.expected(log->segments().active().base_offset()));
  EXPECT_FALSE(std::filesystem::exists(files::log_path(dir(), 2)));
}

TEST_F(CompactionTest, FetchAtARemovedOffsetReturnsTheNextBatch) {
  auto log = open(config());
  fill(*log);
  ASSERT_TRUE(log->compact(kNow));
  const auto contents = read_all(*log);
  for (std::int64_t offset = 0; offset < log->log_end_offset(); ++offset) {
    auto read = log->read(offset, 1 << 20, true);
    ASSERT_TRUE(read) << offset;
    const auto headers = testing::batch_headers(testing::slice_bytes(read->records));
    ASSERT_FALSE(headers.empty()) << offset;
    // The first batch that still holds anything at or after `offset`.
    const auto next = std::find_if(contents.batches.begin(), contents.batches.end(),
                                   [&](const auto& h) { return h.last_offset() >= offset; });
    ASSERT_NE(next, contents.batches.end());
    EXPECT_EQ(headers.front().base_offset, next->base_offset) << offset;
  }
}

TEST_F(CompactionTest, TombstonesExpireDeleteRetentionAfterTheFirstPass) {
  auto log = open(config());
  append(*log, {{"a", "a1"}});
  append(*log, {{"b", "b1"}});
  append(*log, {{"a", std::nullopt}});  // delete a
  append(*log, {{"c", "c1"}});
  append(*log, {{"d", "d1"}});
  append(*log, {{"e", "e1"}});
  const std::int64_t end = log->segments().active().base_offset();
  ASSERT_GT(end, 3);

  auto stats = log->compact(kNow);
  ASSERT_TRUE(stats && stats->cleaned);
  EXPECT_EQ(stats->tombstones_removed, 0);
  EXPECT_EQ(read_all(*log).records, model_.expected(end));  // a1 gone, the tombstone kept

  // Not yet due: nothing is dirty and the tombstone is younger than 10 s.
  stats = log->compact(kNow + 9'999);
  ASSERT_TRUE(stats);
  EXPECT_FALSE(stats->cleaned);
  EXPECT_EQ(read_all(*log).records, model_.expected(end));

  stats = log->compact(kNow + 10'000);
  ASSERT_TRUE(stats && stats->cleaned);
  EXPECT_EQ(stats->tombstones_removed, 1);
  EXPECT_EQ(read_all(*log).records, model_.expected(end, /*drop_tombstones=*/true));
}

TEST_F(CompactionTest, TombstoneAgeSurvivesARestart) {
  auto log = open(config());
  append(*log, {{"a", "a1"}});
  append(*log, {{"a", std::nullopt}});
  append(*log, {{"b", "b1"}});
  append(*log, {{"c", "c1"}});
  ASSERT_TRUE(log->compact(kNow)->cleaned);
  log.reset();
  log = open(config());
  // New dirty data starts a pass; the cleaned segment's time (its mtime) says
  // whether its tombstone is due.
  for (int i = 0; i < 6; ++i) append(*log, {{"x" + std::to_string(i), "x"}});
  auto stats = log->compact(kNow + 5'000);
  ASSERT_TRUE(stats && stats->cleaned);
  EXPECT_EQ(stats->tombstones_removed, 0);
  for (int i = 0; i < 6; ++i) append(*log, {{"y" + std::to_string(i), "y"}});
  stats = log->compact(kNow + 10'000);
  ASSERT_TRUE(stats && stats->cleaned);
  EXPECT_EQ(stats->tombstones_removed, 1);
  const auto records = read_all(*log).records;
  EXPECT_TRUE(std::none_of(records.begin(), records.end(), [](const Rec& r) { return r.key == "a"; }));
}

TEST_F(CompactionTest, TheActiveSegmentIsNeverTouched) {
  auto log = open(config());
  fill(*log);
  const std::int64_t active_base = log->segments().active().base_offset();
  const auto active_path = files::log_path(dir(), active_base);
  std::vector<std::uint8_t> before(testing::file_size(active_path));
  {
    std::ifstream in(active_path, std::ios::binary);
    in.read(reinterpret_cast<char*>(before.data()), static_cast<std::streamsize>(before.size()));
  }
  ASSERT_TRUE(log->compact(kNow)->cleaned);
  std::vector<std::uint8_t> after(testing::file_size(active_path));
  {
    std::ifstream in(active_path, std::ios::binary);
    in.read(reinterpret_cast<char*>(after.data()), static_cast<std::streamsize>(after.size()));
  }
  EXPECT_EQ(before, after);
  // "a3" is superseded only by "a9" in the active segment: it stays.
  const auto records = read_all(*log).records;
  EXPECT_EQ(std::count_if(records.begin(), records.end(), [](const Rec& r) { return r.key == "a"; }), 2);
  // Appends continue at the end.
  append(*log, {{"z", "z1"}});
  EXPECT_EQ(read_all(*log).records.back().key, "z");
}

TEST_F(CompactionTest, MinCompactionLagKeepsRecentSegmentsDirty) {
  auto c = config();
  c.min_compaction_lag_ms = 60'000;
  auto log = open(c);
  fill(*log);  // every batch has timestamp kNow
  auto stats = log->compact(kNow + 59'999);
  ASSERT_TRUE(stats);
  EXPECT_FALSE(stats->cleaned);
  EXPECT_EQ(stats->first_uncleanable_offset, 0);
  stats = log->compact(kNow + 60'000);
  ASSERT_TRUE(stats && stats->cleaned);
  EXPECT_EQ(read_all(*log).records, model_.expected(log->segments().active().base_offset()));
}

TEST_F(CompactionTest, DirtyRatioDecidesWhetherAPassRuns) {
  auto log = open(config());
  fill(*log);
  ASSERT_TRUE(log->compact(kNow)->cleaned);
  // One more closed segment: a small dirty share of the cleanable bytes.
  const std::int64_t active_base = log->segments().active().base_offset();
  while (log->segments().active().base_offset() == active_base) append(*log, {{"a", "more"}});
  auto stats = log->compact(kNow);
  ASSERT_TRUE(stats);
  EXPECT_GT(stats->dirty_ratio, 0.0);
  EXPECT_LT(stats->dirty_ratio, 0.5);
  EXPECT_FALSE(stats->cleaned);
  auto c = config();
  c.min_cleanable_dirty_ratio = 0.01;
  log->update_config(c);
  EXPECT_TRUE(log->compact(kNow)->cleaned);
  EXPECT_EQ(read_all(*log).records, model_.expected(log->segments().active().base_offset()));
}

TEST_F(CompactionTest, APassPlannedHereCanRunElsewhereWhileTheLogGoesOn) {
  auto log = open(config());
  fill(*log);
  auto plan = log->plan_compaction(kNow);
  ASSERT_TRUE(plan);
  EXPECT_FALSE(log->plan_compaction(kNow)) << "one pass at a time";
  // The cleaner works on its own thread while the shard keeps appending.
  auto work = std::async(std::launch::async, [&plan] { return cleaner::run(*plan); }).get();
  ASSERT_TRUE(work);
  append(*log, {{"late", "x"}});
  const auto stats = log->finish_compaction(*plan, std::move(work), kNow);
  ASSERT_TRUE(stats);
  EXPECT_TRUE(stats->cleaned);
  EXPECT_EQ(log->cleaner_offset(), plan->first_uncleanable_offset);
  EXPECT_EQ(read_all(*log).records, model_.expected(plan->first_uncleanable_offset));
}

// log.cleaner.dedupe.buffer.size: a key map with room for two keys cleans
// part of the dirty segments per pass, moves forward every pass, and never
// drops the latest value of a key.
TEST_F(CompactionTest, ABoundedKeyMapCleansInSeveralPassesAndLosesNoLatestValue) {
  auto log = open(config());
  for (int i = 0; i < 24; ++i) append(*log, {{"k" + std::to_string(i % 6), "v" + std::to_string(i)}});
  const std::int64_t active_base = log->segments().active().base_offset();
  std::map<std::string, Rec> latest;
  for (const auto& r : model_.all()) {
    if (r.offset < active_base) latest[*r.key] = r;
  }
  std::int64_t cleaned_to = log->cleaner_offset();
  int passes = 0;
  while (cleaned_to < active_base) {
    ASSERT_LT(++passes, 30) << "no progress";
    auto plan = log->plan_compaction(kNow);
    if (!plan) {
      // Below the dirty ratio: force a pass the way more dirty data would.
      auto c = config();
      c.min_cleanable_dirty_ratio = 0;
      log->update_config(c);
      plan = log->plan_compaction(kNow);
    }
    ASSERT_TRUE(plan);
    plan->max_map_bytes = 2 * (2 + cleaner::kMapEntryOverhead);
    auto work = cleaner::run(*plan);
    ASSERT_TRUE(work);
    EXPECT_GT(work->end_offset, cleaned_to);
    if (passes == 1) {
      EXPECT_LT(work->end_offset, plan->first_uncleanable_offset) << "the map should fill";
    }
    ASSERT_TRUE(log->finish_compaction(*plan, std::move(*work), kNow));
    EXPECT_GT(log->cleaner_offset(), cleaned_to);
    cleaned_to = log->cleaner_offset();
    // Whatever the pass left, the latest value of every key is there, and
    // the dirty part beyond the pass is untouched.
    const auto contents = read_all(*log).records;
    for (const auto& [key, rec] : latest) {
      EXPECT_NE(std::find(contents.begin(), contents.end(), rec), contents.end()) << rec << " after pass " << passes;
    }
    for (const auto& r : model_.all()) {
      if (r.offset >= cleaned_to) {
        EXPECT_NE(std::find(contents.begin(), contents.end(), r), contents.end()) << r;
      }
    }
  }
  EXPECT_GT(passes, 1);
  EXPECT_LT(read_all(*log).records.size(), model_.all().size());
}

// A key deleted after the point where a pass's key map filled must stay
// deleted: its tombstone may expire only once every older value is gone.
// (Marking the whole segment clean when the map filled in its middle let a
// later pass expire the tombstone and keep the old value.)
TEST_F(CompactionTest, ADeletedKeyStaysDeletedWhenTheKeyMapFillsBeforeItsTombstone) {
  auto log = open(config());
  append(*log, {{"k", "old"}});
  for (int i = 0; i < 4; ++i) append(*log, {{"f" + std::to_string(i), "v"}});
  ASSERT_GT(log->segment_count(), 1u);
  ASSERT_TRUE(log->compact(kNow)->cleaned);  // "k=old" now in a clean segment
  ASSERT_GT(log->cleaner_offset(), 0);
  append(*log, {{"a", "1"}, {"b", "1"}});  // fills a two-key map
  // The next batch must land inside a segment, after a batch of keys the map holds.
  while (log->segments().active().size() == 0 || log->segments().active().size() > 100) append(*log, {{"a", "2"}});
  append(*log, {{"c", "1"}, {"k", std::nullopt}});  // delete k, in the batch that does not fit
  ASSERT_GT(model_.all().back().offset - 1, log->segments().active().base_offset()) << "mid-segment";
  for (int i = 0; i < 6; ++i) append(*log, {{"y" + std::to_string(i), "v"}});
  const std::int64_t active_base = log->segments().active().base_offset();
  auto k_visible_without_tombstone = [&] {
    bool value = false;
    for (const auto& r : read_all(*log).records) {
      if (r.key == "k") value = r.value.has_value();
    }
    return value;
  };
  auto c = config();
  c.min_cleanable_dirty_ratio = 0;
  log->update_config(c);
  std::int64_t now = kNow;
  for (int pass = 0; pass < 20 && (log->cleaner_offset() < active_base || pass < 12); ++pass) {
    now += 4'000;  // delete.retention.ms is 10 s: tombstones come due along the way
    auto plan = log->plan_compaction(now);
    if (!plan) continue;
    plan->max_map_bytes = 2 * (1 + cleaner::kMapEntryOverhead);
    auto work = cleaner::run(*plan);
    ASSERT_TRUE(work);
    ASSERT_TRUE(log->finish_compaction(*plan, std::move(*work), now));
    EXPECT_FALSE(k_visible_without_tombstone()) << "after pass " << pass;
  }
  EXPECT_EQ(log->cleaner_offset(), active_base);
  EXPECT_FALSE(k_visible_without_tombstone());
}

TEST_F(CompactionTest, GroupsWhoseSegmentsWentMeanwhileAreDiscarded) {
  auto log = open(config());
  fill(*log);
  auto plan = log->plan_compaction(kNow);
  ASSERT_TRUE(plan);
  ASSERT_GT(plan->groups.size(), 1u);
  auto work = cleaner::run(*plan);
  ASSERT_TRUE(work);
  // DeleteRecords deletes the first group's segments before the pass ends.
  const auto second_group_base = plan->sources[plan->groups[1].first].segment.base_offset;
  ASSERT_TRUE(log->delete_records_before(second_group_base));
  const auto stats = log->finish_compaction(*plan, std::move(work), kNow);
  ASSERT_TRUE(stats);
  EXPECT_LT(log->cleaner_offset(), plan->first_uncleanable_offset) << "not all groups went in: cleaned again later";
  for (const auto& entry : std::filesystem::directory_iterator(dir())) {
    EXPECT_EQ(entry.path().string().find(".cleaned"), std::string::npos) << entry.path();
  }
  auto expected = model_.expected(plan->first_uncleanable_offset);
  std::erase_if(expected, [&](const auto& r) { return r.offset < second_group_base; });
  EXPECT_EQ(read_all(*log).records, expected);
  // The next pass cleans what is left.
  ASSERT_TRUE(log->compact(kNow)->cleaned);
  EXPECT_EQ(log->cleaner_offset(), log->segments().active().base_offset());
}

TEST_F(CompactionTest, APassFinishingAfterCloseLeavesNothingBehind) {
  auto log = open(config());
  fill(*log);
  auto plan = log->plan_compaction(kNow);
  ASSERT_TRUE(plan);
  auto work = cleaner::run(*plan);
  ASSERT_TRUE(work);
  log->close();
  EXPECT_FALSE(log->finish_compaction(*plan, std::move(work), kNow));
  for (const auto& entry : std::filesystem::directory_iterator(dir())) {
    EXPECT_EQ(entry.path().string().find(".cleaned"), std::string::npos) << entry.path();
  }
}

TEST_F(CompactionTest, AbortedTransactionsAreDroppedAndOpenOnesStopTheCleaner) {
  auto log = open(config());
  append(*log, {{"k", "committed"}});
  auto transactional = [](const std::vector<KV>& kvs, std::int64_t producer, std::int32_t sequence) {
    protocol::RecordBatchBuilder builder;
    builder.set_producer(producer, 0, sequence).set_transactional(true);
    for (const auto& kv : kvs) builder.add(kNow, bytes_of(kv.key), bytes_of(kv.value));
    return builder.build().value();
  };
  auto aborted = transactional({{"k", "aborted"}}, 9, 0);
  ASSERT_TRUE(log->append(aborted, 0, kNow));
  ASSERT_TRUE(log->append_marker(TxnMarker{9, 0, 0, /*commit=*/false}, 0, kNow));
  for (int i = 0; i < 12; ++i) append(*log, {{"x" + std::to_string(i), "v"}});
  ASSERT_TRUE(log->compact(kNow)->cleaned);
  std::vector<std::optional<std::string>> values_of_k;
  for (const auto& r : read_all(*log).records) {
    if (r.key == "k") values_of_k.push_back(r.value);
  }
  EXPECT_EQ(values_of_k, (std::vector<std::optional<std::string>>{"committed"}))
      << "the aborted write is no one's latest value and is dropped";

  // An open transaction: nothing from its first offset on is cleaned.
  auto open_txn = transactional({{"x0", "maybe"}}, 10, 0);
  const auto first = log->append(open_txn, 0, kNow);
  ASSERT_TRUE(first);
  for (int i = 0; i < 12; ++i) append(*log, {{"x" + std::to_string(i), "w"}});
  const auto stats = log->compact(kNow);
  ASSERT_TRUE(stats);
  EXPECT_LE(stats->first_uncleanable_offset, first->base_offset);
}

TEST_F(CompactionTest, KeylessRecordsAreRefusedOnAppendToACompactedTopic) {
  auto c = config();
  auto log = open(c);
  auto keyless = make_batch({{"a", "1"}, {std::nullopt, "2"}}, kNow);
  const auto r = log->append(keyless, 0, kNow);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), LogError::invalid_record);
  EXPECT_EQ(log->log_end_offset(), 0);
  EXPECT_EQ(log->size_in_bytes(), 0);

  // Written before the topic became compacted, they are dropped by the cleaner.
  c.cleanup_compact = false;
  log->update_config(c);
  append(*log, {{std::nullopt, "old"}, {"k", "v"}});
  append(*log, {{std::nullopt, "older"}});
  append(*log, {{"m", "v"}});
  append(*log, {{"n", "v"}});
  c.cleanup_compact = true;
  log->update_config(c);
  ASSERT_TRUE(log->compact(kNow)->cleaned);
  for (const auto& rec : read_all(*log).records) EXPECT_TRUE(rec.key.has_value()) << rec;
}

TEST_F(CompactionTest, CompressedBatchesAreRebuiltWithTheirCodec) {
  const CompressionType codecs[] = {CompressionType::gzip, CompressionType::snappy, CompressionType::lz4,
                                    CompressionType::zstd};
  auto c = config();
  c.segment_bytes = 1 << 20;
  auto log = open(c);
  for (const auto codec : codecs) {
    const std::string p = std::to_string(static_cast<int>(codec));
    append(*log, {{p + "a", "a1"}, {p + "b", "b1"}, {p + "c", "c1"}, {p + "d", "d1"}}, codec);
    append(*log, {{p + "a", "a2"}, {p + "c", "c2"}}, codec);  // the first batch keeps b and d
  }
  const std::int64_t end = log->log_end_offset();
  c.segment_bytes = static_cast<std::int64_t>(log->segments().active().size()) + 1;  // roll on the next append
  log->update_config(c);
  append(*log, {{"active", "x"}});
  ASSERT_EQ(log->segments().active().base_offset(), end);
  c.segment_bytes = 1 << 20;
  log->update_config(c);

  ASSERT_TRUE(log->compact(kNow)->cleaned);
  const auto contents = read_all(*log);
  EXPECT_EQ(contents.records, model_.expected(end));
  ASSERT_GE(contents.batches.size(), 8u);
  for (std::size_t i = 0; i < 4; ++i) {
    const auto& rebuilt = contents.batches[2 * i];
    EXPECT_EQ(rebuilt.compression(), codecs[i]);
    EXPECT_EQ(rebuilt.record_count, 2);
    EXPECT_EQ(rebuilt.last_offset_delta, 3);  // the batch still spans 4 offsets
    EXPECT_EQ(rebuilt.base_offset, static_cast<std::int64_t>(6 * i));
  }
}

class CompactionCrashTest : public CompactionTest {
 protected:
  // `original`: a closed log; `compacted`: a copy of it, compacted into one
  // cleaned segment at base 0. Returns the compacted records.
  std::vector<Rec> prepare(const std::filesystem::path& original, const std::filesystem::path& compacted) {
    {
      auto log = open(config(), original);
      fill(*log);
    }
    std::filesystem::copy(original, compacted, std::filesystem::copy_options::recursive);
    auto c = config();
    c.segment_bytes = 1 << 20;
    auto log = open(c, compacted);
    EXPECT_TRUE(log->compact(kNow)->cleaned);
    EXPECT_EQ(log->segment_count(), 2u);
    return read_all(*log).records;
  }
  // Every offset can be fetched and the indexes point at batches holding them.
  static void check_lookups(DiskLog& log) {
    for (std::int64_t offset = log.log_start_offset(); offset < log.log_end_offset(); ++offset) {
      auto read = log.read(offset, 1, true);
      ASSERT_TRUE(read) << offset;
      const auto headers = testing::batch_headers(testing::slice_bytes(read->records));
      ASSERT_EQ(headers.size(), 1u) << offset;
      EXPECT_GE(headers[0].last_offset(), offset);
    }
  }
};

TEST_F(CompactionCrashTest, CleanedLeftoverIsDiscarded) {
  const auto original = dir_.path() / "a-0", compacted = dir_.path() / "b-0";
  prepare(original, compacted);
  const auto all = model_.all();  // fill() ran once, in `original`
  std::filesystem::copy_file(files::log_path(compacted, 0), files::cleaned_log_path(original, 0));
  std::filesystem::remove(files::clean_shutdown_path(original));  // crashed mid-pass
  auto log = open(config(), original);
  EXPECT_FALSE(std::filesystem::exists(files::cleaned_log_path(original, 0)));
  EXPECT_EQ(read_all(*log).records, all);
  check_lookups(*log);
}

TEST_F(CompactionCrashTest, SwapLeftoverIsCompleted) {
  const auto original = dir_.path() / "a-0", compacted = dir_.path() / "b-0";
  const auto expected = prepare(original, compacted);
  // Crashed after the commit point, before the old segments were deleted.
  std::filesystem::copy_file(files::log_path(compacted, 0), files::swap_log_path(original, 0));
  std::filesystem::remove(files::clean_shutdown_path(original));
  auto log = open(config(), original);
  EXPECT_FALSE(std::filesystem::exists(files::swap_log_path(original, 0)));
  EXPECT_EQ(log->segment_count(), 2u);
  EXPECT_EQ(read_all(*log).records, expected);
  check_lookups(*log);
  // A later pass can still run over it.
  EXPECT_TRUE(log->compact(kNow));
  EXPECT_EQ(read_all(*log).records, expected);
}

TEST_F(CompactionCrashTest, SwapLeftoverWithOldSegmentsPartlyDeletedIsCompleted) {
  const auto original = dir_.path() / "a-0", compacted = dir_.path() / "b-0";
  const auto expected = prepare(original, compacted);
  std::filesystem::copy_file(files::log_path(compacted, 0), files::swap_log_path(original, 0));
  // Crashed while deleting the replaced segments: the first one and its indexes are gone.
  std::filesystem::remove(files::log_path(original, 0));
  std::filesystem::remove(files::index_path(original, 0));
  std::filesystem::remove(files::time_index_path(original, 0));
  auto log = open(config(), original);
  EXPECT_EQ(read_all(*log).records, expected);
  check_lookups(*log);
}

}  // namespace
}  // namespace conveyor::log
