#pragma once
// The transaction state machine as pure functions: given a transactional
// id's current TxnMetadata and a request, each returns the error to answer
// or the next TxnMetadata to make durable. No I/O, no clock (`now_ms` is
// passed in), so every rule is unit-tested on its own. The rules and error
// codes are Kafka's (TransactionCoordinator, TransactionMetadata, KIP-98,
// KIP-360), for clients of transaction version 1 (EndTxn up to v4: the
// epoch is bumped only by InitProducerId and by fencing, not per
// transaction as KIP-890 part 2 does).
//
// `pending` is the coordinator's "a state change of this id is being
// written or its markers are being sent": requests arriving meanwhile get
// CONCURRENT_TRANSACTIONS (retriable), as in Kafka.
//
// PRODUCER_FENCED is returned throughout; the API edge turns it into
// INVALID_PRODUCER_EPOCH for request versions that predate it.

#include <cstdint>
#include <limits>
#include <optional>
#include <set>

#include "conveyor/base/result.h"
#include "conveyor/protocol/error_code.h"
#include "conveyor/txn/txn_metadata.h"

namespace conveyor::txn {

// Clients get epochs up to INT16_MAX - 2: the coordinator keeps one bump in
// reserve so that it can always fence a producer (Kafka's rule).
inline bool epoch_exhausted(std::int16_t epoch) {
  return epoch >= std::numeric_limits<std::int16_t>::max() - 1;
}

struct ProducerIdAndEpoch {
  std::int64_t producer_id = kNoProducerId;
  std::int16_t epoch = kNoProducerEpoch;
};

// --- InitProducerId ---------------------------------------------------------

enum class InitAction {
  fail,           // answer `error`
  abort_ongoing,  // fence the open transaction (fence_and_abort), complete it, then plan again
  rotate,         // allocate a new producer id, then rotate_producer_id
  bump,           // make `next` durable and answer with its id and epoch
};

struct InitPlan {
  InitAction action = InitAction::fail;
  protocol::ErrorCode error = protocol::ErrorCode::none;
  TxnMetadata next;                // for bump
  bool record_last_epoch = false;  // for rotate
};

// `current` is the id's metadata; a new id arrives here with a fresh
// producer id and epoch -1 (so the bump gives epoch 0). `expected` is the
// producer id and epoch a v3+ request carries (KIP-360), if any.
InitPlan plan_init(const TxnMetadata& current, bool pending, std::int32_t timeout_ms,
                   const std::optional<ProducerIdAndEpoch>& expected, std::int64_t now_ms);

// Epoch exhausted: a new producer id at epoch 0, the old one remembered.
TxnMetadata rotate_producer_id(const TxnMetadata& current, std::int64_t new_producer_id,
                               std::int32_t timeout_ms, bool record_last_epoch,
                               std::int64_t now_ms);

// --- AddPartitionsToTxn / AddOffsetsToTxn -----------------------------------

// The next metadata (Ongoing, with the partitions added), nullopt when the
// Ongoing transaction already has them all (answered at once), or the error.
Result<std::optional<TxnMetadata>, protocol::ErrorCode> plan_add_partitions(
    const TxnMetadata& current, bool pending, std::int64_t producer_id, std::int16_t epoch,
    const std::set<TopicPartition>& partitions, std::int64_t now_ms);

// Whether the partitions are in the open transaction (AddPartitionsToTxn v4+
// verify_only, KIP-890 part 1): one error for all, or one per partition.
struct VerifyResult {
  protocol::ErrorCode error = protocol::ErrorCode::none;
  std::set<TopicPartition> missing;  // TRANSACTION_ABORTABLE each
};
VerifyResult verify_partitions(const TxnMetadata& current, std::int64_t producer_id,
                               std::int16_t epoch, const std::set<TopicPartition>& partitions);

// --- EndTxn -----------------------------------------------------------------

// The Prepare* metadata to make durable, nullopt when the transaction has
// already completed that way (a retry: answer NONE), or the error. The
// coordinator's own aborts go through fence_and_abort instead.
Result<std::optional<TxnMetadata>, protocol::ErrorCode> plan_end(const TxnMetadata& current,
                                                                 bool pending,
                                                                 std::int64_t producer_id,
                                                                 std::int16_t epoch, bool commit,
                                                                 std::int64_t now_ms);

// Fencing the producer of an Ongoing transaction (its timeout passed, or a
// new instance called InitProducerId): PrepareAbort with the epoch bumped,
// so the ABORT markers carry the new epoch and every partition of the
// transaction refuses the old producer from then on.
TxnMetadata fence_and_abort(const TxnMetadata& current, std::int64_t now_ms);

// Prepare* -> Complete* once every marker is written; the partitions are cleared.
TxnMetadata complete_transaction(const TxnMetadata& current, std::int64_t now_ms);

// --- timers -----------------------------------------------------------------

// An Ongoing transaction open longer than its timeout.
bool timed_out(const TxnMetadata& current, bool pending, std::int64_t now_ms);
// An idle id with no open transaction, unchanged for `expiration_ms`.
bool should_expire(const TxnMetadata& current, bool pending, std::int64_t now_ms,
                   std::int64_t expiration_ms);

}  // namespace conveyor::txn
