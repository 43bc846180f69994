#include "conveyor/txn/txn_state_machine.h"

#include <algorithm>

namespace conveyor::txn {

using protocol::ErrorCode;

namespace {

// KIP-360: a request naming a producer id and epoch is from a producer that
// may continue only if nobody else took the transactional id over: the
// metadata was just created, or it names the current producer id (its epoch
// is checked by the bump), or it names the previous id while its epoch was
// exhausted (a retry of the rotation whose answer was lost).
bool valid_producer(const TxnMetadata& current, const ProducerIdAndEpoch& expected) {
  return current.producer_epoch == kNoProducerEpoch ||
         expected.producer_id == current.producer_id ||
         (expected.producer_id == current.last_producer_id && epoch_exhausted(expected.epoch));
}

TxnMetadata empty_with(const TxnMetadata& current, std::int64_t producer_id, std::int16_t epoch,
                       std::int16_t last_epoch, std::int32_t timeout_ms, std::int64_t now_ms) {
  TxnMetadata next = current;
  next.last_producer_id = current.producer_id;
  next.producer_id = producer_id;
  next.producer_epoch = epoch;
  next.last_producer_epoch = last_epoch;
  next.timeout_ms = timeout_ms;
  next.state = TxnState::empty;
  next.partitions.clear();
  next.start_timestamp_ms = -1;
  next.last_update_ms = now_ms;
  return next;
}

InitPlan fail(ErrorCode error) {
  InitPlan plan;
  plan.error = error;
  return plan;
}

}  // namespace

InitPlan plan_init(const TxnMetadata& current, bool pending, std::int32_t timeout_ms,
                   const std::optional<ProducerIdAndEpoch>& expected, std::int64_t now_ms) {
  if (pending) return fail(ErrorCode::concurrent_transactions);
  if (expected && !valid_producer(current, *expected)) return fail(ErrorCode::producer_fenced);
  switch (current.state) {
    case TxnState::prepare_commit:
    case TxnState::prepare_abort:
    case TxnState::dead:  // being expired; a retry finds it gone
      return fail(ErrorCode::concurrent_transactions);
    case TxnState::ongoing: {
      InitPlan plan;
      plan.action = InitAction::abort_ongoing;
      return plan;
    }
    case TxnState::empty:
    case TxnState::complete_commit:
    case TxnState::complete_abort:
      break;
  }
  if (epoch_exhausted(current.producer_epoch) &&
      (!expected || expected->epoch == current.producer_epoch)) {
    InitPlan plan;
    plan.action = InitAction::rotate;
    plan.record_last_epoch = expected.has_value();
    return plan;
  }
  const auto bumped = static_cast<std::int16_t>(current.producer_epoch + 1);
  std::int16_t epoch = bumped;
  std::int16_t last_epoch = kNoProducerEpoch;
  if (expected) {
    if (current.producer_epoch == kNoProducerEpoch || expected->epoch == current.producer_epoch) {
      // The producer continues after an error (or the id is new).
      last_epoch = current.producer_epoch;
    } else if (expected->epoch == current.last_producer_epoch) {
      // A retry of a bump whose answer was lost: the same answer again. No
      // other instance came in between, or it would have reset the last epoch.
      epoch = current.producer_epoch;
      last_epoch = current.last_producer_epoch;
    } else {
      return fail(ErrorCode::producer_fenced);
    }
  }
  InitPlan plan;
  plan.action = InitAction::bump;
  plan.next = empty_with(current, current.producer_id, epoch, last_epoch, timeout_ms, now_ms);
  return plan;
}

TxnMetadata rotate_producer_id(const TxnMetadata& current, std::int64_t new_producer_id,
                               std::int32_t timeout_ms, bool record_last_epoch,
                               std::int64_t now_ms) {
  return empty_with(current, new_producer_id, 0,
                    record_last_epoch ? current.producer_epoch : kNoProducerEpoch, timeout_ms,
                    now_ms);
}

Result<std::optional<TxnMetadata>, ErrorCode> plan_add_partitions(
    const TxnMetadata& current, bool pending, std::int64_t producer_id, std::int16_t epoch,
    const std::set<TopicPartition>& partitions, std::int64_t now_ms) {
  if (producer_id != current.producer_id) return Unexpected{ErrorCode::invalid_producer_id_mapping};
  if (epoch != current.producer_epoch) return Unexpected{ErrorCode::producer_fenced};
  if (pending || is_prepare(current.state) || current.state == TxnState::dead) {
    return Unexpected{ErrorCode::concurrent_transactions};
  }
  if (current.state == TxnState::ongoing &&
      std::includes(current.partitions.begin(), current.partitions.end(), partitions.begin(),
                    partitions.end())) {
    return std::optional<TxnMetadata>{};
  }
  TxnMetadata next = current;
  if (current.state != TxnState::ongoing)
    next.start_timestamp_ms = now_ms;  // a new transaction begins
  next.state = TxnState::ongoing;
  next.partitions.insert(partitions.begin(), partitions.end());
  next.last_update_ms = now_ms;
  return std::optional<TxnMetadata>{std::move(next)};
}

VerifyResult verify_partitions(const TxnMetadata& current, std::int64_t producer_id,
                               std::int16_t epoch, const std::set<TopicPartition>& partitions) {
  VerifyResult result;
  if (producer_id != current.producer_id) {
    result.error = ErrorCode::invalid_producer_id_mapping;
  } else if (epoch != current.producer_epoch) {
    result.error = ErrorCode::producer_fenced;
  } else if (is_prepare(current.state)) {
    result.error = ErrorCode::concurrent_transactions;
  } else {
    for (const auto& tp : partitions) {
      if (current.state != TxnState::ongoing || !current.partitions.contains(tp))
        result.missing.insert(tp);
    }
  }
  return result;
}

Result<std::optional<TxnMetadata>, ErrorCode> plan_end(const TxnMetadata& current, bool pending,
                                                       std::int64_t producer_id, std::int16_t epoch,
                                                       bool commit, std::int64_t now_ms) {
  if (producer_id != current.producer_id) return Unexpected{ErrorCode::invalid_producer_id_mapping};
  if (epoch != current.producer_epoch) return Unexpected{ErrorCode::producer_fenced};
  if (pending) return Unexpected{ErrorCode::concurrent_transactions};
  switch (current.state) {
    case TxnState::ongoing: {
      TxnMetadata next = current;
      next.state = commit ? TxnState::prepare_commit : TxnState::prepare_abort;
      next.last_update_ms = now_ms;
      return std::optional<TxnMetadata>{std::move(next)};
    }
    case TxnState::complete_commit:
      if (commit) return std::optional<TxnMetadata>{};
      return Unexpected{ErrorCode::invalid_txn_state};
    case TxnState::complete_abort:
      if (!commit) return std::optional<TxnMetadata>{};
      return Unexpected{ErrorCode::invalid_txn_state};
    case TxnState::prepare_commit:
      return Unexpected{commit ? ErrorCode::concurrent_transactions : ErrorCode::invalid_txn_state};
    case TxnState::prepare_abort:
      return Unexpected{commit ? ErrorCode::invalid_txn_state : ErrorCode::concurrent_transactions};
    case TxnState::empty:
      return Unexpected{ErrorCode::invalid_txn_state};
    case TxnState::dead:
      return Unexpected{ErrorCode::concurrent_transactions};
  }
  return Unexpected{ErrorCode::invalid_txn_state};
}

TxnMetadata fence_and_abort(const TxnMetadata& current, std::int64_t now_ms) {
  TxnMetadata next = current;
  if (next.producer_epoch < std::numeric_limits<std::int16_t>::max()) ++next.producer_epoch;
  next.last_producer_epoch = kNoProducerEpoch;  // the fenced producer may not resume with KIP-360
  next.state = TxnState::prepare_abort;
  next.last_update_ms = now_ms;
  return next;
}

TxnMetadata complete_transaction(const TxnMetadata& current, std::int64_t now_ms) {
  TxnMetadata next = current;
  next.state = current.state == TxnState::prepare_commit ? TxnState::complete_commit
                                                         : TxnState::complete_abort;
  next.partitions.clear();
  next.last_update_ms = now_ms;
  return next;
}

bool timed_out(const TxnMetadata& current, bool pending, std::int64_t now_ms) {
  return !pending && current.state == TxnState::ongoing &&
         current.start_timestamp_ms + current.timeout_ms < now_ms;
}

bool should_expire(const TxnMetadata& current, bool pending, std::int64_t now_ms,
                   std::int64_t expiration_ms) {
  const bool idle = current.state == TxnState::empty || is_complete(current.state);
  return !pending && idle && current.last_update_ms <= now_ms - expiration_ms;
}

}  // namespace conveyor::txn
