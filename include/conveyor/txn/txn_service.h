#pragma once
// TxnService: the transaction coordinators of every shard and what connects
// them to the broker — the same shape as group::GroupService.
//
//  - Placement: a transactional id lives in partition
//    abs(hashCode(id)) % transaction.state.log.num.partitions of the
//    internal compacted topic __transaction_state (Kafka's rule), and its
//    coordinator is the one on the shard owning that partition, so its
//    records are appended without leaving the shard.
//  - The topic is created by the first FindCoordinator for a transaction
//    or the first transactional InitProducerId, as Kafka does.
//  - TxnLifecycle wraps the broker's partition lifecycle: when a shard opens
//    a __transaction_state partition (creation, or every start) its
//    coordinator marks it loading and replays its log in a task posted to
//    the shard, then completes the transactions it finds prepared.
//  - The coordinators' backend: appends to __transaction_state
//    (broker/internal_records.h), markers (broker/txn_markers.h) and producer
//    ids (Broker::allocate_producer_id).
//
// Built in main.cc before the Broker (the lifecycle must exist first), then
// attach()ed to it; lives for the whole process.

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "conveyor/broker/broker.h"
#include "conveyor/txn/txn_coordinator.h"

namespace conveyor::txn {

inline constexpr std::string_view kTxnStateTopic = "__transaction_state";

class BrokerTxnBackend;

class TxnService {
 public:
  TxnService(const config::BrokerConfig& config, runtime::ShardSet& shards);
  ~TxnService();

  void attach(broker::Broker& broker);
  // Starts every shard's timers (after the shards run); stop() ends them.
  void start();
  void stop();

  // The calling shard's coordinator.
  TxnCoordinator& local() { return *coordinators_[runtime::ShardSet::current()]; }
  TxnCoordinator& on(runtime::ShardId shard) { return *coordinators_[shard]; }

  // The shard coordinating `transactional_id`, or nullopt while
  // __transaction_state does not exist.
  std::optional<runtime::ShardId> shard_for(const metadata::Image& image,
                                            std::string_view transactional_id) const;
  // Creates __transaction_state unless it exists; none or the creation error.
  boost::asio::awaitable<protocol::ErrorCode> ensure_state_topic();

  broker::Broker& broker() { return *broker_; }
  runtime::ShardSet& shards() { return shards_; }

  // Called by TxnLifecycle on `shard` after the image changed.
  void on_image(runtime::ShardId shard, broker::ShardState& state, const metadata::Image& next);

 private:
  const config::BrokerConfig& config_;
  runtime::ShardSet& shards_;
  broker::Broker* broker_ = nullptr;
  std::unique_ptr<BrokerTxnBackend> backend_;
  std::vector<std::unique_ptr<TxnCoordinator>> coordinators_;
};

// The broker's partition lifecycle plus loading and unloading of
// __transaction_state partitions in the coordinators.
class TxnLifecycle final : public broker::PartitionLifecycle {
 public:
  TxnLifecycle(broker::PartitionLifecycle& inner, TxnService& txns) : inner_(inner), txns_(txns) {}
  void apply(runtime::ShardId shard, broker::ShardState& state, const metadata::Image* previous,
             const metadata::Image& next) override {
    inner_.apply(shard, state, previous, next);
    txns_.on_image(shard, state, next);
  }

 private:
  broker::PartitionLifecycle& inner_;
  TxnService& txns_;
};

}  // namespace conveyor::txn
