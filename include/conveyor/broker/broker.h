#pragma once
// Broker: the services request handlers use, wired once in main.cc.
//
//  - configuration and this node's advertised endpoint;
//  - per shard: the current metadata image and the partitions the shard owns
//    (ShardState — touched only on its own shard, never locked);
//  - metadata changes: handled by the controller on shard 0, then the new
//    image is published to every shard (which opens or drops partition logs)
//    before the call returns, so a client that created a topic can produce
//    to it immediately.
//
// Lives for the whole process; shared by every shard.

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "conveyor/config/broker_config.h"
#include "conveyor/metadata/controller.h"
#include "conveyor/metadata/image.h"
#include "conveyor/runtime/shard_set.h"
#include "conveyor/metadata/producer_id_manager.h"

namespace conveyor::group {
class GroupService;
}

namespace conveyor::txn {
class TxnService;
}

namespace conveyor::log {
struct TxnMarker;
}

namespace conveyor::broker {

class PartitionTable;
class Partition;

// What one shard owns and sees.
struct ShardState {
  std::shared_ptr<const metadata::Image> image;
  std::unique_ptr<PartitionTable> partitions;
};

// Creates and drops the partition logs a shard owns when the image changes.
class PartitionLifecycle {
 public:
  virtual ~PartitionLifecycle() = default;
  // Runs on `shard` after `state.image` has been replaced by `next`.
  virtual void apply(runtime::ShardId shard, ShardState& state, const metadata::Image* previous,
                     const metadata::Image& next) = 0;
};

class Broker {
 public:
  Broker(const config::BrokerConfig& config, runtime::ShardSet& shards, metadata::Controller& controller,
         PartitionLifecycle& lifecycle);
  ~Broker();

  const config::BrokerConfig& config() const { return config_; }
  runtime::ShardSet& shards() { return shards_; }
  std::int32_t node_id() const { return config_.node_id; }

  // The calling shard's state and image (call only on a shard thread).
  ShardState& local();
  const metadata::Image& image() { return *local().image; }
  std::shared_ptr<const metadata::Image> image_ptr() { return local().image; }

  // Which shard owns a partition: a stable hash of (topic id, partition).
  runtime::ShardId shard_for(const protocol::Uuid& topic_id, std::int32_t partition) const;

  // Controller operations (any shard; they run on shard 0 and publish).
  boost::asio::awaitable<std::vector<metadata::TopicChangeResult>> create_topics(
      std::vector<metadata::NewTopic> topics, bool validate_only);
  boost::asio::awaitable<metadata::TopicChangeResult> delete_topic(std::string name);
  boost::asio::awaitable<metadata::TopicChangeResult> create_partitions(
      std::string topic, std::int32_t count, std::vector<std::vector<std::int32_t>> assignments,
      bool validate_only);
  boost::asio::awaitable<metadata::TopicChangeResult> alter_topic_configs(
      std::string topic, std::vector<metadata::ConfigChange> changes, bool incremental, bool validate_only);

  // A new producer id for InitProducerId (any shard; allocated on shard 0);
  // nullopt when the metadata log cannot be written (logged).
  boost::asio::awaitable<std::optional<std::int64_t>> allocate_producer_id();

  // The group coordinators, built on top of the broker (group/ depends on
  // broker/, not the reverse); set once in main.cc before the shards start.
  void set_groups(group::GroupService* groups) { groups_ = groups; }
  group::GroupService* groups() const { return groups_; }
  // The transaction coordinators, likewise (txn/ depends on broker/).
  void set_txns(txn::TxnService* txns) { txns_ = txns; }
  txn::TxnService* txns() const { return txns_; }

  // Told of every transaction marker written (broker/txn_markers.h), on the
  // partition's shard, with the marker's offset: the group coordinator
  // makes a transaction's offset commits visible (or drops them) with it.
  using TxnMarkerListener = std::function<void(Partition&, const log::TxnMarker&, std::int64_t offset)>;
  void set_txn_marker_listener(TxnMarkerListener listener) { txn_marker_listener_ = std::move(listener); }
  void notify_txn_marker(Partition& partition, const log::TxnMarker& marker, std::int64_t offset) {
    if (txn_marker_listener_) txn_marker_listener_(partition, marker, offset);
  }

  // Installs the controller's current image on every shard (start-up, and
  // after each change). Must run on shard 0.
  boost::asio::awaitable<void> publish_image();

 private:
  const config::BrokerConfig& config_;
  runtime::ShardSet& shards_;
  metadata::Controller& controller_;
  PartitionLifecycle& lifecycle_;
  metadata::ProducerIdManager producer_ids_;  // used on shard 0 only
  std::vector<std::unique_ptr<ShardState>> states_;
  group::GroupService* groups_ = nullptr;
  txn::TxnService* txns_ = nullptr;
  TxnMarkerListener txn_marker_listener_;
};

}  // namespace conveyor::broker
