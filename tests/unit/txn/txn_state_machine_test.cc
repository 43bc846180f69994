// The transaction state machine's rules, one request at a time (no I/O).

#include "conveyor/txn/txn_state_machine.h"

#include <gtest/gtest.h>

namespace conveyor::txn {
namespace {

using protocol::ErrorCode;

constexpr std::int64_t kPid = 1000;
constexpr std::int64_t kNow = 1'700'000'000'000;

TxnMetadata fresh() {
  TxnMetadata m;
  m.transactional_id = "app";
  m.producer_id = kPid;
  m.timeout_ms = 60000;
  m.last_update_ms = kNow - 10;
  return m;
}

TxnMetadata at(TxnState state, std::int16_t epoch, std::int16_t last_epoch = kNoProducerEpoch) {
  TxnMetadata m = fresh();
  m.state = state;
  m.producer_epoch = epoch;
  m.last_producer_epoch = last_epoch;
  if (state == TxnState::ongoing || is_prepare(state)) {
    m.partitions = {{"t", 0}, {"t", 1}};
    m.start_timestamp_ms = kNow - 1000;
  }
  return m;
}

// --- InitProducerId -----------------------------------------------------------------

TEST(PlanInit, NewIdGetsEpochZero) {
  const auto plan = plan_init(fresh(), false, 30000, std::nullopt, kNow);
  ASSERT_EQ(plan.action, InitAction::bump);
  EXPECT_EQ(plan.next.producer_id, kPid);
  EXPECT_EQ(plan.next.producer_epoch, 0);
  EXPECT_EQ(plan.next.last_producer_epoch, kNoProducerEpoch);
  EXPECT_EQ(plan.next.timeout_ms, 30000);
  EXPECT_EQ(plan.next.state, TxnState::empty);
  EXPECT_EQ(plan.next.last_update_ms, kNow);
}

TEST(PlanInit, NewInstanceBumpsTheEpochAndForgetsTheLastOne) {
  for (auto state : {TxnState::empty, TxnState::complete_commit, TxnState::complete_abort}) {
    const auto plan = plan_init(at(state, 3, 2), false, 60000, std::nullopt, kNow);
    ASSERT_EQ(plan.action, InitAction::bump) << to_string(state);
    EXPECT_EQ(plan.next.producer_epoch, 4);
    EXPECT_EQ(plan.next.last_producer_epoch, kNoProducerEpoch);
    EXPECT_EQ(plan.next.state, TxnState::empty);
    EXPECT_TRUE(plan.next.partitions.empty());
    EXPECT_EQ(plan.next.start_timestamp_ms, -1);
  }
}

TEST(PlanInit, Kip360ProducerContinuesWithItsIdAndEpoch) {
  const auto plan =
      plan_init(at(TxnState::complete_abort, 3), false, 60000, ProducerIdAndEpoch{kPid, 3}, kNow);
  ASSERT_EQ(plan.action, InitAction::bump);
  EXPECT_EQ(plan.next.producer_epoch, 4);
  EXPECT_EQ(plan.next.last_producer_epoch, 3);
}

TEST(PlanInit, Kip360RetryOfABumpGetsTheSameAnswer) {
  // The bump 3 -> 4 was durable but its answer lost; the producer asks again with 3.
  const auto plan =
      plan_init(at(TxnState::empty, 4, 3), false, 60000, ProducerIdAndEpoch{kPid, 3}, kNow);
  ASSERT_EQ(plan.action, InitAction::bump);
  EXPECT_EQ(plan.next.producer_epoch, 4);
  EXPECT_EQ(plan.next.last_producer_epoch, 3);
}

TEST(PlanInit, Kip360StaleOrForeignProducerIsFenced) {
  // Another instance took over (epoch 5, last epoch reset): epoch 3 is stale.
  auto plan = plan_init(at(TxnState::empty, 5), false, 60000, ProducerIdAndEpoch{kPid, 3}, kNow);
  EXPECT_EQ(plan.action, InitAction::fail);
  EXPECT_EQ(plan.error, ErrorCode::producer_fenced);
  plan = plan_init(at(TxnState::empty, 5), false, 60000, ProducerIdAndEpoch{kPid + 1, 5}, kNow);
  EXPECT_EQ(plan.error, ErrorCode::producer_fenced);
}

TEST(PlanInit, OngoingTransactionIsAbortedFirst) {
  const auto plan = plan_init(at(TxnState::ongoing, 2), false, 60000, std::nullopt, kNow);
  EXPECT_EQ(plan.action, InitAction::abort_ongoing);
}

TEST(PlanInit, PreparedOrPendingTransactionsAskForARetry) {
  for (auto state : {TxnState::prepare_commit, TxnState::prepare_abort}) {
    const auto plan = plan_init(at(state, 2), false, 60000, std::nullopt, kNow);
    EXPECT_EQ(plan.action, InitAction::fail);
    EXPECT_EQ(plan.error, ErrorCode::concurrent_transactions);
  }
  const auto plan = plan_init(at(TxnState::empty, 2), true, 60000, std::nullopt, kNow);
  EXPECT_EQ(plan.error, ErrorCode::concurrent_transactions);
}

TEST(PlanInit, ExhaustedEpochRotatesTheProducerId) {
  const std::int16_t exhausted = 32766;
  EXPECT_FALSE(epoch_exhausted(32765));
  EXPECT_TRUE(epoch_exhausted(exhausted));
  auto plan = plan_init(at(TxnState::complete_commit, exhausted), false, 60000, std::nullopt, kNow);
  ASSERT_EQ(plan.action, InitAction::rotate);
  EXPECT_FALSE(plan.record_last_epoch);
  plan = plan_init(at(TxnState::complete_commit, exhausted), false, 60000,
                   ProducerIdAndEpoch{kPid, exhausted}, kNow);
  ASSERT_EQ(plan.action, InitAction::rotate);
  EXPECT_TRUE(plan.record_last_epoch);

  const auto rotated =
      rotate_producer_id(at(TxnState::complete_commit, exhausted), kPid + 7, 60000, true, kNow);
  EXPECT_EQ(rotated.producer_id, kPid + 7);
  EXPECT_EQ(rotated.last_producer_id, kPid);
  EXPECT_EQ(rotated.producer_epoch, 0);
  EXPECT_EQ(rotated.last_producer_epoch, exhausted);
  EXPECT_EQ(rotated.state, TxnState::empty);

  // The rotation's answer was lost: the retry with the old id and epoch is
  // recognised and answered with the new id, epoch 0 again.
  plan = plan_init(rotated, false, 60000, ProducerIdAndEpoch{kPid, exhausted}, kNow);
  ASSERT_EQ(plan.action, InitAction::bump);
  EXPECT_EQ(plan.next.producer_id, kPid + 7);
  EXPECT_EQ(plan.next.producer_epoch, 0);
}

// --- AddPartitionsToTxn -------------------------------------------------------------

TEST(PlanAddPartitions, StartsATransactionFromEmptyOrComplete) {
  for (auto state : {TxnState::empty, TxnState::complete_commit, TxnState::complete_abort}) {
    auto next = plan_add_partitions(at(state, 1), false, kPid, 1, {{"a", 0}, {"b", 2}}, kNow);
    ASSERT_TRUE(next);
    ASSERT_TRUE(next.value());
    EXPECT_EQ(next.value()->state, TxnState::ongoing);
    EXPECT_EQ(next.value()->start_timestamp_ms, kNow);
    EXPECT_EQ(next.value()->partitions, (std::set<TopicPartition>{{"a", 0}, {"b", 2}}));
  }
}

TEST(PlanAddPartitions, OngoingKeepsItsStartAndAddsOnlyNewPartitions) {
  const auto current = at(TxnState::ongoing, 1);
  auto same = plan_add_partitions(current, false, kPid, 1, {{"t", 1}}, kNow);
  ASSERT_TRUE(same);
  EXPECT_FALSE(same.value()) << "already in the transaction: nothing to write";
  auto more = plan_add_partitions(current, false, kPid, 1, {{"t", 1}, {"u", 0}}, kNow);
  ASSERT_TRUE(more && more.value());
  EXPECT_EQ(more.value()->start_timestamp_ms, current.start_timestamp_ms);
  EXPECT_EQ(more.value()->partitions.size(), 3u);
}

TEST(PlanAddPartitions, Errors) {
  const auto current = at(TxnState::ongoing, 4);
  EXPECT_EQ(plan_add_partitions(current, false, kPid + 1, 4, {{"x", 0}}, kNow).error(),
            ErrorCode::invalid_producer_id_mapping);
  EXPECT_EQ(plan_add_partitions(current, false, kPid, 3, {{"x", 0}}, kNow).error(),
            ErrorCode::producer_fenced);
  EXPECT_EQ(plan_add_partitions(current, true, kPid, 4, {{"x", 0}}, kNow).error(),
            ErrorCode::concurrent_transactions);
  EXPECT_EQ(plan_add_partitions(at(TxnState::prepare_commit, 4), false, kPid, 4, {{"x", 0}}, kNow)
                .error(),
            ErrorCode::concurrent_transactions);
}

TEST(VerifyPartitions, ReportsPartitionsOutsideTheTransaction) {
  const auto result = verify_partitions(at(TxnState::ongoing, 1), kPid, 1, {{"t", 0}, {"z", 9}});
  EXPECT_EQ(result.error, ErrorCode::none);
  EXPECT_EQ(result.missing, (std::set<TopicPartition>{{"z", 9}}));
  EXPECT_EQ(verify_partitions(at(TxnState::ongoing, 1), kPid, 0, {{"t", 0}}).error,
            ErrorCode::producer_fenced);
  EXPECT_EQ(verify_partitions(at(TxnState::empty, 1), kPid, 1, {{"t", 0}}).missing.size(), 1u);
}

// --- EndTxn -----------------------------------------------------------------------

TEST(PlanEnd, OngoingPrepares) {
  auto commit = plan_end(at(TxnState::ongoing, 2), false, kPid, 2, true, kNow);
  ASSERT_TRUE(commit && commit.value());
  EXPECT_EQ(commit.value()->state, TxnState::prepare_commit);
  EXPECT_EQ(commit.value()->producer_epoch, 2);
  EXPECT_EQ(commit.value()->partitions.size(), 2u);
  auto abort = plan_end(at(TxnState::ongoing, 2), false, kPid, 2, false, kNow);
  ASSERT_TRUE(abort && abort.value());
  EXPECT_EQ(abort.value()->state, TxnState::prepare_abort);
}

TEST(PlanEnd, RetriesOfACompletedEndAreAnsweredNone) {
  auto commit = plan_end(at(TxnState::complete_commit, 2), false, kPid, 2, true, kNow);
  ASSERT_TRUE(commit);
  EXPECT_FALSE(commit.value());
  auto abort = plan_end(at(TxnState::complete_abort, 2), false, kPid, 2, false, kNow);
  ASSERT_TRUE(abort);
  EXPECT_FALSE(abort.value());
}

TEST(PlanEnd, WrongStates) {
  EXPECT_EQ(plan_end(at(TxnState::complete_commit, 2), false, kPid, 2, false, kNow).error(),
            ErrorCode::invalid_txn_state);
  EXPECT_EQ(plan_end(at(TxnState::complete_abort, 2), false, kPid, 2, true, kNow).error(),
            ErrorCode::invalid_txn_state);
  EXPECT_EQ(plan_end(at(TxnState::empty, 2), false, kPid, 2, true, kNow).error(),
            ErrorCode::invalid_txn_state);
  EXPECT_EQ(plan_end(at(TxnState::prepare_commit, 2), false, kPid, 2, true, kNow).error(),
            ErrorCode::concurrent_transactions);
  EXPECT_EQ(plan_end(at(TxnState::prepare_commit, 2), false, kPid, 2, false, kNow).error(),
            ErrorCode::invalid_txn_state);
  EXPECT_EQ(plan_end(at(TxnState::prepare_abort, 2), false, kPid, 2, false, kNow).error(),
            ErrorCode::concurrent_transactions);
}

TEST(PlanEnd, FencedOrUnknownProducers) {
  EXPECT_EQ(plan_end(at(TxnState::ongoing, 2), false, kPid, 1, true, kNow).error(),
            ErrorCode::producer_fenced);
  EXPECT_EQ(plan_end(at(TxnState::ongoing, 2), false, kPid, 3, true, kNow).error(),
            ErrorCode::producer_fenced);
  EXPECT_EQ(plan_end(at(TxnState::ongoing, 2), false, kPid + 1, 2, true, kNow).error(),
            ErrorCode::invalid_producer_id_mapping);
  EXPECT_EQ(plan_end(at(TxnState::ongoing, 2), true, kPid, 2, true, kNow).error(),
            ErrorCode::concurrent_transactions);
}

// --- fencing, completion, timers ----------------------------------------------------

TEST(FenceAndAbort, BumpsTheEpochAndPreparesTheAbort) {
  const auto next = fence_and_abort(at(TxnState::ongoing, 2, 1), kNow);
  EXPECT_EQ(next.state, TxnState::prepare_abort);
  EXPECT_EQ(next.producer_epoch, 3);
  EXPECT_EQ(next.last_producer_epoch, kNoProducerEpoch);
  EXPECT_EQ(next.partitions.size(), 2u) << "the markers go to the transaction's partitions";
  // The old producer can no longer end or extend the transaction.
  EXPECT_EQ(plan_end(next, false, kPid, 2, true, kNow).error(), ErrorCode::producer_fenced);
}

TEST(CompleteTransaction, ClearsThePartitions) {
  const auto commit = complete_transaction(at(TxnState::prepare_commit, 2), kNow);
  EXPECT_EQ(commit.state, TxnState::complete_commit);
  EXPECT_TRUE(commit.partitions.empty());
  EXPECT_EQ(commit.last_update_ms, kNow);
  EXPECT_EQ(complete_transaction(at(TxnState::prepare_abort, 2), kNow).state,
            TxnState::complete_abort);
}

TEST(Timers, TimeoutAndExpiry) {
  auto ongoing = at(TxnState::ongoing, 1);
  ongoing.timeout_ms = 500;
  ongoing.start_timestamp_ms = kNow;
  EXPECT_FALSE(timed_out(ongoing, false, kNow + 500));
  EXPECT_TRUE(timed_out(ongoing, false, kNow + 501));
  EXPECT_FALSE(timed_out(ongoing, true, kNow + 501)) << "a change in flight wins";
  EXPECT_FALSE(timed_out(at(TxnState::empty, 1), false, kNow + 10'000'000));

  auto idle = at(TxnState::complete_commit, 1);
  idle.last_update_ms = kNow;
  EXPECT_FALSE(should_expire(idle, false, kNow + 999, 1000));
  EXPECT_TRUE(should_expire(idle, false, kNow + 1000, 1000));
  EXPECT_FALSE(should_expire(idle, true, kNow + 1000, 1000));
  ongoing.last_update_ms = kNow;
  EXPECT_FALSE(should_expire(ongoing, false, kNow + 1000, 1000))
      << "an open transaction is never expired";
}

TEST(TxnStateNames, AreKafkas) {
  EXPECT_EQ(to_string(TxnState::prepare_commit), "PrepareCommit");
  EXPECT_EQ(parse_txn_state("CompleteAbort"), TxnState::complete_abort);
  EXPECT_EQ(parse_txn_state("completeabort"), std::nullopt);
  EXPECT_EQ(txn_state_from_id(1), TxnState::ongoing);
  EXPECT_EQ(txn_state_from_id(9), std::nullopt);
}

}  // namespace
}  // namespace conveyor::txn
