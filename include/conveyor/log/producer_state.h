#pragma once
// ProducerStateTable: what one partition remembers about the idempotent and
// transactional producers writing to it (Kafka's ProducerStateManager), so
// that a retried batch is not written twice and a lost one is noticed.
//
// For each producer id: its epoch, the last kBatchesKept batches it wrote
// (sequence range and the offsets they got — librdkafka and the Java client
// keep at most 5 requests in flight per partition, so a retry is always one
// of them), the time of its last write and, for transactions, where its open
// transaction started.
//
// The rules, checked per batch before anything is written (Kafka 3.x):
//   - same epoch and the same first/last sequence as a kept batch: a
//     duplicate — answered with the original offsets, nothing written;
//   - epoch below the producer's: INVALID_PRODUCER_EPOCH;
//   - a newer epoch must start at sequence 0 (else OUT_OF_ORDER_SEQUENCE_NUMBER),
//     unless the producer is unknown here;
//   - the same epoch must continue at last sequence + 1 (wrapping after
//     INT32_MAX), else OUT_OF_ORDER_SEQUENCE_NUMBER;
//   - while its transaction is open here, a producer's batches must be
//     transactional, else INVALID_TXN_STATE;
//   - a producer this partition does not know (new, or expired after
//     producer.id.expiration.ms) may start at any sequence, as Kafka has since
//     KIP-360 (older brokers answered UNKNOWN_PRODUCER_ID).
//
// Not thread-safe: owned by a partition's log on its shard.

#include <cstdint>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "conveyor/base/result.h"
#include "conveyor/log/log_error.h"
#include "conveyor/protocol/record_batch_header.h"

namespace conveyor::log {

// One batch a producer wrote: what a retry of it is answered with.
struct ProducerBatch {
  std::int32_t first_sequence = -1;
  std::int32_t last_sequence = -1;
  std::int64_t first_offset = -1;
  std::int64_t last_offset = -1;
  std::int64_t max_timestamp = -1;
  bool operator==(const ProducerBatch&) const = default;
};

struct ProducerEntry {
  std::int16_t epoch = -1;
  std::vector<ProducerBatch> batches;        // oldest first, at most kBatchesKept
  std::int64_t last_timestamp = -1;          // max timestamp of its last batch
  std::int32_t coordinator_epoch = -1;       // of the last transaction marker
  std::int64_t current_txn_first_offset = -1;  // -1: no open transaction

  std::int32_t last_sequence() const { return batches.empty() ? -1 : batches.back().last_sequence; }
  std::int64_t last_offset() const { return batches.empty() ? -1 : batches.back().last_offset; }
  bool operator==(const ProducerEntry&) const = default;
};

// The sequence number `increment` after `sequence`, wrapping to 0 after INT32_MAX.
std::int32_t advance_sequence(std::int32_t sequence, std::int32_t increment);

class ProducerStateTable {
 public:
  static constexpr std::size_t kBatchesKept = 5;
  using Entries = std::unordered_map<std::int64_t, ProducerEntry>;

  const ProducerEntry* find(std::int64_t producer_id) const;
  const Entries& entries() const { return entries_; }
  std::size_t size() const { return entries_.size(); }

  // Records a batch written at [first_offset, last_offset] without checking
  // it (the log's own batches, replayed after a restart).
  void replay(const protocol::RecordBatchHeader& batch, std::int64_t first_offset);
  // Installs an entry as it is (loading a snapshot).
  void restore(std::int64_t producer_id, ProducerEntry entry);
  void clear() {
    entries_.clear();
    open_transactions_.clear();
  }

  // A transaction marker for `producer_id` at `marker_offset`: ends its open
  // transaction (returning where it began, if it had one) and adopts a newer
  // epoch. An epoch older than the producer's is INVALID_PRODUCER_EPOCH.
  Result<std::optional<std::int64_t>, LogError> end_transaction(std::int64_t producer_id, std::int16_t epoch,
                                                                 std::int32_t coordinator_epoch,
                                                                 std::int64_t timestamp);
  // The first offset of the oldest open transaction, if any.
  std::optional<std::int64_t> first_open_transaction() const;

  // Forgets producers whose last write is `expiration_ms` or more before
  // `now_ms` and that have no open transaction. Returns how many went.
  std::size_t expire(std::int64_t now_ms, std::int64_t expiration_ms);

 private:
  friend class ProducerAppend;
  static void record(ProducerEntry& entry, const protocol::RecordBatchHeader& batch, std::int64_t first_offset);
  // Installs `entry` for `producer_id`, keeping open_transactions_ in step.
  void put(std::int64_t producer_id, ProducerEntry entry);

  Entries entries_;
  // (first offset, producer id) of every open transaction, for the LSO.
  std::set<std::pair<std::int64_t, std::int64_t>> open_transactions_;
};

// The producer checks of one append (one Produce partition, possibly
// several batches): each batch is checked against the table as updated by
// the batches before it in the same append; nothing reaches the table until
// commit(), after the batches are written.
class ProducerAppend {
 public:
  explicit ProducerAppend(const ProducerStateTable& table) : table_(table) {}

  // Checks the next batch, which will get offsets from `first_offset`.
  // A duplicate of a kept batch returns that batch; nullopt means "write it".
  // `from_coordinator`: a coordinator's transactional batch (no sequence):
  // only its epoch is checked, and it opens the producer's transaction here.
  Result<std::optional<ProducerBatch>, LogError> add(const protocol::RecordBatchHeader& batch,
                                                     std::int64_t first_offset, bool from_coordinator = false);
  void commit(ProducerStateTable& table) &&;

 private:
  const ProducerEntry* current(std::int64_t producer_id) const;
  // The staged copy of a producer's entry (made from `current` the first time).
  ProducerEntry& stage(std::int64_t producer_id, const ProducerEntry& current);

  const ProducerStateTable& table_;
  std::vector<std::pair<std::int64_t, ProducerEntry>> staged_;
};

}  // namespace conveyor::log
