#pragma once
// TxnMetadata: what the transaction coordinator knows about one
// transactional id (Kafka's TransactionMetadata) — the producer id and epoch
// it hands out, the open transaction's partitions and its state:
//
//   Empty           no transaction since InitProducerId
//   Ongoing         partitions added (AddPartitionsToTxn / AddOffsetsToTxn)
//   PrepareCommit   EndTxn(commit) is durable; markers are being written
//   PrepareAbort    EndTxn(abort), a timeout or a fencing InitProducerId
//   CompleteCommit  every partition has its COMMIT marker
//   CompleteAbort   every partition has its ABORT marker
//   Dead            expired (transactional.id.expiration.ms); about to go
//
// Transitions (txn_state_machine.h): Empty/Complete* -> Ongoing -> Prepare*
// -> Complete*; InitProducerId -> Empty from Empty/Complete*. A value type:
// the coordinator computes the next value, makes it durable in
// __transaction_state, and only then replaces the current one.

#include <compare>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace conveyor::txn {

// Kafka's ids, as stored in __transaction_state.
enum class TxnState : std::int8_t {
  empty = 0,
  ongoing = 1,
  prepare_commit = 2,
  prepare_abort = 3,
  complete_commit = 4,
  complete_abort = 5,
  dead = 6,
};

// Kafka's names ("Empty", "Ongoing", "PrepareCommit", ...), as
// DescribeTransactions and ListTransactions report them.
std::string_view to_string(TxnState state);
std::optional<TxnState> parse_txn_state(std::string_view name);
std::optional<TxnState> txn_state_from_id(std::int8_t id);

inline bool is_prepare(TxnState s) {
  return s == TxnState::prepare_commit || s == TxnState::prepare_abort;
}
inline bool is_complete(TxnState s) {
  return s == TxnState::complete_commit || s == TxnState::complete_abort;
}

struct TopicPartition {
  std::string topic;
  std::int32_t partition = 0;
  auto operator<=>(const TopicPartition&) const = default;
};

inline constexpr std::int64_t kNoProducerId = -1;
inline constexpr std::int16_t kNoProducerEpoch = -1;

struct TxnMetadata {
  std::string transactional_id;
  std::int64_t producer_id = kNoProducerId;
  // The producer id before the last rotation (epoch exhaustion), so that a
  // retried InitProducerId of the old id is recognised (KIP-360).
  std::int64_t last_producer_id = kNoProducerId;
  std::int16_t producer_epoch = kNoProducerEpoch;
  // The epoch before the last InitProducerId bump, so that its retry gets
  // the same answer (KIP-360); -1 after a fencing bump.
  std::int16_t last_producer_epoch = kNoProducerEpoch;
  std::int32_t timeout_ms = 0;
  TxnState state = TxnState::empty;
  std::set<TopicPartition> partitions;   // of the open transaction
  std::int64_t start_timestamp_ms = -1;  // when the transaction's first partition was added
  std::int64_t last_update_ms = -1;      // of the last state change (expiry)

  bool operator==(const TxnMetadata&) const = default;
};

}  // namespace conveyor::txn
