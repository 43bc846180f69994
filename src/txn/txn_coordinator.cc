// The request half of the transaction coordinator: InitProducerId,
// AddPartitionsToTxn (and AddOffsetsToTxn through it), EndTxn, and how a
// transaction is completed (markers, then Complete*). Loading, timers,
// expiry and the operator views are in txn_coordinator_state.cc.

#include "conveyor/txn/txn_coordinator.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "conveyor/base/wall_clock.h"
#include "conveyor/txn/txn_records.h"

namespace conveyor::txn {

namespace asio = boost::asio;
using protocol::ErrorCode;

namespace {

constexpr std::chrono::milliseconds kMaxMarkerBackoff{5000};

// A marker error after which the partition needs no marker from us.
bool marker_done(ErrorCode error) {
  // unknown_topic_or_partition: the topic was deleted, as Kafka drops the
  // markers of deleted partitions. invalid_producer_epoch: the partition has
  // seen a newer epoch of this producer, so this transaction is over there.
  return error == ErrorCode::none || error == ErrorCode::unknown_topic_or_partition ||
         error == ErrorCode::invalid_producer_epoch;
}

}  // namespace

TxnCoordinator::TxnCoordinator(TxnCoordinatorConfig config, asio::any_io_executor executor,
                               TxnBackend& backend)
    : config_(config), executor_(std::move(executor)), backend_(backend) {}

TxnCoordinator::~TxnCoordinator() = default;

ErrorCode TxnCoordinator::check_partition(const std::string& transactional_id) const {
  if (partition_count_ <= 0) return ErrorCode::not_coordinator;
  auto it = partitions_.find(txn_partition_for(transactional_id, partition_count_));
  if (it == partitions_.end()) return ErrorCode::not_coordinator;
  if (!it->second.loaded) return ErrorCode::coordinator_load_in_progress;
  return ErrorCode::none;
}

std::shared_ptr<TxnCoordinator::Entry> TxnCoordinator::entry(
    const std::string& transactional_id) const {
  auto it = entries_.find(transactional_id);
  return it == entries_.end() ? nullptr : it->second;
}

const TxnMetadata* TxnCoordinator::find(const std::string& transactional_id) const {
  auto e = entry(transactional_id);
  return e ? &e->metadata : nullptr;
}

bool TxnCoordinator::is_pending(const std::string& transactional_id) const {
  auto e = entry(transactional_id);
  return e && e->pending;
}

asio::awaitable<ErrorCode> TxnCoordinator::persist(std::shared_ptr<Entry> e, TxnMetadata next, bool durable) {
  std::vector<broker::InternalRecord> records(1);
  records[0].key = encode_txn_key(next.transactional_id);
  records[0].value = encode_txn_value(next);
  auto error = co_await backend_.append(e->partition, std::move(records), durable);
  if (e->removed) co_return ErrorCode::not_coordinator;  // the partition left this shard meanwhile
  if (error == ErrorCode::message_too_large)
    error = ErrorCode::unknown_server_error;  // Kafka's mapping
  if (error != ErrorCode::none) {
    spdlog::warn("transactional id {}: cannot store state {}: {}", next.transactional_id,
                 to_string(next.state), protocol::error_name(error));
    co_return error;
  }
  e->metadata = std::move(next);
  co_return ErrorCode::none;
}

asio::awaitable<ErrorCode> TxnCoordinator::finish(std::shared_ptr<Entry> e) {
  const TxnMetadata& m = e->metadata;
  log::TxnMarker marker;
  marker.producer_id = m.producer_id;
  marker.producer_epoch = m.producer_epoch;
  marker.commit = m.state == TxnState::prepare_commit;
  marker.coordinator_epoch =
      partitions_.contains(e->partition) ? partitions_.at(e->partition).coordinator_epoch : 0;
  std::vector<TopicPartition> targets(m.partitions.begin(), m.partitions.end());
  auto backoff = config_.marker_retry_backoff;
  auto running = running_;
  while (!targets.empty()) {
    const auto errors = co_await backend_.write_markers(targets, marker);
    if (e->removed) co_return ErrorCode::not_coordinator;
    std::vector<TopicPartition> failed;
    for (std::size_t i = 0; i < targets.size(); ++i) {
      if (marker_done(errors[i])) continue;
      spdlog::warn("transactional id {}: {} marker for {}-{} failed ({}); retrying",
                   m.transactional_id, marker.commit ? "COMMIT" : "ABORT", targets[i].topic,
                   targets[i].partition, protocol::error_name(errors[i]));
      failed.push_back(targets[i]);
    }
    targets = std::move(failed);
    if (targets.empty()) break;
    if (running && !*running) co_return ErrorCode::coordinator_not_available;  // shutting down
    asio::steady_timer timer(executor_, backoff);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    backoff = std::min(backoff * 2, kMaxMarkerBackoff);
    if (e->removed) co_return ErrorCode::not_coordinator;
  }
  // Complete* need not be durable before the answer (see txn_coordinator.h).
  co_return co_await persist(e, complete_transaction(e->metadata, wall_clock_ms()), /*durable=*/false);
}

asio::awaitable<ErrorCode> TxnCoordinator::fence_and_abort(std::shared_ptr<Entry> e) {
  auto error = co_await persist(e, txn::fence_and_abort(e->metadata, wall_clock_ms()));
  if (error != ErrorCode::none) co_return error;
  co_return co_await finish(e);
}

void TxnCoordinator::spawn_completion(std::shared_ptr<Entry> e, bool abort) {
  e->pending = true;
  asio::co_spawn(executor_, run_completion(std::move(e), abort), asio::detached);
}

asio::awaitable<void> TxnCoordinator::run_completion(std::shared_ptr<Entry> e, bool abort) {
  const auto id = e->metadata.transactional_id;
  ErrorCode error = ErrorCode::none;
  if (abort) {
    error = co_await fence_and_abort(e);
  } else {
    error = co_await finish(e);
  }
  e->pending = false;
  if (error == ErrorCode::none) {
    spdlog::info(
        "transactional id {}: {} (producer id {}, epoch {})", id,
        abort ? "transaction timed out: aborted, producer fenced" : "transaction completed",
        e->metadata.producer_id, e->metadata.producer_epoch);
  } else if (error != ErrorCode::not_coordinator) {
    spdlog::warn("transactional id {}: cannot {} the transaction: {}", id,
                 abort ? "abort" : "complete", protocol::error_name(error));
  }
}

// --- InitProducerId -----------------------------------------------------------

asio::awaitable<InitResult> TxnCoordinator::init_producer_id(
    std::string id, std::int32_t timeout_ms, std::optional<ProducerIdAndEpoch> expected) {
  auto failed = [](ErrorCode error) { return InitResult{error, kNoProducerId, kNoProducerEpoch}; };
  if (id.empty()) co_return failed(ErrorCode::invalid_request);
  if (timeout_ms <= 0 || timeout_ms > config_.max_timeout_ms)
    co_return failed(ErrorCode::invalid_transaction_timeout);
  // At most: abort the open transaction, then bump (a second round only if
  // another request changed the id in between).
  for (int round = 0; round < 3; ++round) {
    if (auto error = check_partition(id); error != ErrorCode::none) co_return failed(error);
    auto e = entry(id);
    if (!e) {
      const auto producer_id = co_await backend_.allocate_producer_id();
      if (!producer_id) co_return failed(ErrorCode::coordinator_not_available);
      if (auto error = check_partition(id); error != ErrorCode::none) co_return failed(error);
      e = entry(id);
      if (!e) {
        // Known in memory from now on with epoch -1; the bump below makes it
        // durable at epoch 0 (Kafka's putTransactionStateIfNotExists).
        e = std::make_shared<Entry>();
        e->metadata.transactional_id = id;
        e->metadata.producer_id = *producer_id;
        e->metadata.timeout_ms = timeout_ms;
        e->metadata.last_update_ms = wall_clock_ms();
        e->partition = txn_partition_for(id, partition_count_);
        entries_[id] = e;
      }
    }
    auto plan = plan_init(e->metadata, e->pending, timeout_ms, expected, wall_clock_ms());
    switch (plan.action) {
      case InitAction::fail:
        co_return failed(plan.error);
      case InitAction::abort_ongoing: {
        spdlog::info(
            "transactional id {}: a new instance fences producer id {} epoch {}; aborting its "
            "transaction",
            id, e->metadata.producer_id, e->metadata.producer_epoch);
        e->pending = true;
        const auto error = co_await fence_and_abort(e);
        e->pending = false;
        if (error != ErrorCode::none) co_return failed(error);
        continue;
      }
      case InitAction::rotate: {
        e->pending = true;
        const auto producer_id = co_await backend_.allocate_producer_id();
        ErrorCode error = ErrorCode::coordinator_not_available;
        if (producer_id && !e->removed) {
          error = co_await persist(e, rotate_producer_id(e->metadata, *producer_id, timeout_ms,
                                                         plan.record_last_epoch, wall_clock_ms()));
        }
        e->pending = false;
        if (error != ErrorCode::none) co_return failed(error);
        spdlog::info("transactional id {}: epochs exhausted; new producer id {}", id,
                     e->metadata.producer_id);
        co_return InitResult{ErrorCode::none, e->metadata.producer_id, e->metadata.producer_epoch};
      }
      case InitAction::bump: {
        e->pending = true;
        const auto error = co_await persist(e, std::move(plan.next));
        e->pending = false;
        if (error != ErrorCode::none) co_return failed(error);
        spdlog::debug("transactional id {}: producer id {} epoch {}", id, e->metadata.producer_id,
                      e->metadata.producer_epoch);
        co_return InitResult{ErrorCode::none, e->metadata.producer_id, e->metadata.producer_epoch};
      }
    }
  }
  co_return failed(ErrorCode::concurrent_transactions);
}

// --- AddPartitionsToTxn -----------------------------------------------------------

asio::awaitable<ErrorCode> TxnCoordinator::add_partitions(std::string id, std::int64_t producer_id,
                                                          std::int16_t epoch,
                                                          std::set<TopicPartition> partitions) {
  if (id.empty()) co_return ErrorCode::invalid_request;
  if (auto error = check_partition(id); error != ErrorCode::none) co_return error;
  auto e = entry(id);
  if (!e) co_return ErrorCode::invalid_producer_id_mapping;
  auto plan =
      plan_add_partitions(e->metadata, e->pending, producer_id, epoch, partitions, wall_clock_ms());
  if (!plan) co_return plan.error();
  if (!plan.value()) co_return ErrorCode::none;  // already in the transaction
  e->pending = true;
  const auto error = co_await persist(e, std::move(*plan.value()));
  e->pending = false;
  co_return error;
}

VerifyResult TxnCoordinator::verify_partitions(const std::string& id, std::int64_t producer_id,
                                               std::int16_t epoch,
                                               const std::set<TopicPartition>& partitions) const {
  VerifyResult result;
  if (id.empty()) {
    result.error = ErrorCode::invalid_request;
  } else if (auto error = check_partition(id); error != ErrorCode::none) {
    result.error = error;
  } else if (auto e = entry(id); !e) {
    result.error = ErrorCode::invalid_producer_id_mapping;
  } else {
    result = txn::verify_partitions(e->metadata, producer_id, epoch, partitions);
  }
  return result;
}

// --- EndTxn ----------------------------------------------------------------------

asio::awaitable<ErrorCode> TxnCoordinator::end_txn(std::string id, std::int64_t producer_id,
                                                   std::int16_t epoch, bool commit) {
  if (id.empty()) co_return ErrorCode::invalid_request;
  if (auto error = check_partition(id); error != ErrorCode::none) co_return error;
  auto e = entry(id);
  if (!e) co_return ErrorCode::invalid_producer_id_mapping;
  auto plan = plan_end(e->metadata, e->pending, producer_id, epoch, commit, wall_clock_ms());
  if (!plan) co_return plan.error();
  if (!plan.value()) co_return ErrorCode::none;  // a retry of an EndTxn that completed
  e->pending = true;
  auto error = co_await persist(e, std::move(*plan.value()));
  if (error == ErrorCode::none) error = co_await finish(e);
  e->pending = false;
  co_return error;
}

}  // namespace conveyor::txn
