// The state half of the transaction coordinator: loading a
// __transaction_state partition (and completing what it left prepared),
// the timers (timed-out transactions, expired ids), and the operator views
// (DescribeTransactions, ListTransactions).

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "conveyor/base/wall_clock.h"
#include "conveyor/txn/txn_coordinator.h"
#include "conveyor/txn/txn_records.h"

namespace conveyor::txn {

namespace asio = boost::asio;
using protocol::ErrorCode;

// --- partitions ------------------------------------------------------------------

void TxnCoordinator::begin_loading(std::int32_t partition, std::int32_t partition_count,
                                   std::int32_t coordinator_epoch) {
  partition_count_ = partition_count;
  partitions_[partition] = OwnedPartition{false, coordinator_epoch};
}

void TxnCoordinator::load(std::int32_t partition,
                          const std::vector<broker::InternalRecord>& records) {
  auto owned = partitions_.find(partition);
  if (owned == partitions_.end()) return;  // unloaded before its load ran
  // The latest record per id wins; a tombstone removes it.
  std::unordered_map<std::string, std::optional<TxnMetadata>> latest;
  std::size_t skipped = 0;
  for (const auto& record : records) {
    auto id = decode_txn_key(record.key);
    if (!id) {
      ++skipped;
      continue;
    }
    if (!record.value) {
      latest[*id] = std::nullopt;
      continue;
    }
    auto metadata = decode_txn_value(*id, *record.value);
    if (!metadata) {
      ++skipped;
      continue;
    }
    latest[*id] = std::move(*metadata);
  }
  if (skipped > 0)
    spdlog::warn("__transaction_state-{}: {} unreadable records skipped", partition, skipped);
  std::vector<std::shared_ptr<Entry>> prepared;
  for (auto& [id, metadata] : latest) {
    if (!metadata || metadata->state == TxnState::dead) continue;
    auto e = std::make_shared<Entry>();
    e->metadata = std::move(*metadata);
    e->partition = partition;
    if (is_prepare(e->metadata.state)) prepared.push_back(e);
    entries_[id] = std::move(e);
  }
  owned->second.loaded = true;
  // A crash between Prepare* and Complete*: the markers may be missing on
  // some partitions; writing them again is harmless (a marker for a
  // producer with no open transaction there ends nothing).
  for (auto& e : prepared) {
    spdlog::info(
        "transactional id {}: completing a transaction left in {} (producer id {}, epoch {})",
        e->metadata.transactional_id, to_string(e->metadata.state), e->metadata.producer_id,
        e->metadata.producer_epoch);
    spawn_completion(e, false);
  }
}

void TxnCoordinator::unload(std::int32_t partition) {
  partitions_.erase(partition);
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second->partition == partition) {
      it->second->removed = true;  // in-flight work notices and answers NOT_COORDINATOR
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
}

// --- timers ----------------------------------------------------------------------

void TxnCoordinator::start() {
  running_ = std::make_shared<bool>(true);
  timer_ = std::make_unique<asio::steady_timer>(executor_);
  next_expiry_ = std::chrono::steady_clock::now() + config_.expiration_interval;
  asio::co_spawn(executor_, timer_loop(), asio::detached);
}

void TxnCoordinator::stop() {
  if (running_) *running_ = false;
  if (timer_) timer_->cancel();
}

asio::awaitable<void> TxnCoordinator::timer_loop() {
  auto running = running_;
  while (*running) {
    timer_->expires_after(config_.abort_interval);
    co_await timer_->async_wait(asio::as_tuple(asio::use_awaitable));
    if (!*running) break;
    abort_timed_out(wall_clock_ms());
    if (std::chrono::steady_clock::now() >= next_expiry_) {
      next_expiry_ = std::chrono::steady_clock::now() + config_.expiration_interval;
      co_await expire_ids(wall_clock_ms());
    }
  }
}

void TxnCoordinator::abort_timed_out(std::int64_t now_ms) {
  std::vector<std::pair<std::shared_ptr<Entry>, bool>> work;
  for (const auto& [id, e] : entries_) {
    if (!partitions_.contains(e->partition) || !partitions_.at(e->partition).loaded) continue;
    if (timed_out(e->metadata, e->pending, now_ms)) {
      spdlog::info("transactional id {}: transaction open for more than {} ms; aborting it", id,
                   e->metadata.timeout_ms);
      work.emplace_back(e, true);
    } else if (!e->pending && is_prepare(e->metadata.state)) {
      work.emplace_back(e, false);  // its completion stopped on an error: try again
    }
  }
  for (auto& [e, abort] : work) spawn_completion(e, abort);
}

asio::awaitable<void> TxnCoordinator::expire_ids(std::int64_t now_ms) {
  std::map<std::int32_t, std::vector<std::shared_ptr<Entry>>> by_partition;
  for (const auto& [id, e] : entries_) {
    if (!partitions_.contains(e->partition) || !partitions_.at(e->partition).loaded) continue;
    if (!should_expire(e->metadata, e->pending, now_ms, config_.id_expiration_ms)) continue;
    e->pending = true;  // Kafka's pending Dead: no other change while the tombstone is written
    by_partition[e->partition].push_back(e);
  }
  for (auto& [partition, expired] : by_partition) {
    std::vector<broker::InternalRecord> tombstones;
    for (const auto& e : expired)
      tombstones.push_back({encode_txn_key(e->metadata.transactional_id), std::nullopt});
    const auto error = co_await backend_.append(partition, std::move(tombstones));
    for (const auto& e : expired) {
      e->pending = false;
      if (e->removed || error != ErrorCode::none) continue;
      e->removed = true;
      auto it = entries_.find(e->metadata.transactional_id);
      if (it != entries_.end() && it->second == e) entries_.erase(it);
    }
    if (error == ErrorCode::none) {
      spdlog::info("__transaction_state-{}: {} idle transactional ids expired", partition,
                   expired.size());
    } else {
      spdlog::warn("__transaction_state-{}: cannot expire transactional ids: {}", partition,
                   protocol::error_name(error));
    }
  }
}

// --- operator views -------------------------------------------------------------------

TxnDescription TxnCoordinator::describe(const std::string& id) const {
  TxnDescription out;
  out.metadata.transactional_id = id;
  if (id.empty()) {
    out.error = ErrorCode::invalid_request;
  } else if (auto error = check_partition(id); error != ErrorCode::none) {
    out.error = error;
  } else if (auto e = entry(id); !e || e->metadata.state == TxnState::dead ||
                                 e->metadata.producer_epoch == kNoProducerEpoch) {
    out.error = ErrorCode::transactional_id_not_found;
  } else {
    out.metadata = e->metadata;
  }
  return out;
}

ListResult TxnCoordinator::list(const ListFilter& filter, std::int64_t now_ms) const {
  ListResult out;
  for (const auto& [partition, owned] : partitions_) {
    if (!owned.loaded) {
      out.error = ErrorCode::coordinator_load_in_progress;
      return out;
    }
  }
  for (const auto& [id, e] : entries_) {
    const TxnMetadata& m = e->metadata;
    if (m.state == TxnState::dead || m.producer_epoch == kNoProducerEpoch)
      continue;  // expiring, or never durable
    if (!filter.states.empty() && !filter.states.contains(m.state)) continue;
    if (!filter.producer_ids.empty() && !filter.producer_ids.contains(m.producer_id)) continue;
    if (filter.min_duration_ms >= 0 && now_ms - m.start_timestamp_ms <= filter.min_duration_ms)
      continue;
    out.transactions.push_back({id, m.producer_id, m.state});
  }
  return out;
}

}  // namespace conveyor::txn
