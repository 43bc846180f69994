#pragma once
// GroupService: the group coordinators of every shard and what connects
// them to the broker.
//
//  - Placement: a group lives in partition
//    abs(hashCode(group_id)) % offsets.topic.num.partitions of the internal
//    topic __consumer_offsets (Kafka's rule), and its coordinator is the one
//    on the shard that owns that partition (broker::shard_for), so a group's
//    records are appended without leaving its shard.
//  - The topic is created (compacted, offsets.topic.num.partitions
//    partitions) by the first FindCoordinator, as Kafka does.
//  - GroupLifecycle wraps the broker's partition lifecycle: when a shard
//    opens a __consumer_offsets partition (topic creation, or every start),
//    the shard's coordinator marks it loading and replays its log in a task
//    posted to the shard; until then its groups answer
//    COORDINATOR_LOAD_IN_PROGRESS.
//
// Built in main.cc before the Broker (the lifecycle must exist first), then
// attach()ed to it; lives for the whole process.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "conveyor/broker/broker.h"
#include "conveyor/group/group_coordinator.h"

namespace conveyor::group {

inline constexpr std::string_view kOffsetsTopic = "__consumer_offsets";

class LogOffsetsStore;

class GroupService {
 public:
  GroupService(const config::BrokerConfig& config, runtime::ShardSet& shards);
  ~GroupService();

  void attach(broker::Broker& broker);
  // Starts every shard's coordinator (after the shards run).
  void start();
  // Fails waiting joins and syncs and stops the timers (on each shard).
  void stop();

  // The calling shard's coordinator.
  GroupCoordinator& local() { return *coordinators_[runtime::ShardSet::current()]; }
  GroupCoordinator& on(runtime::ShardId shard) { return *coordinators_[shard]; }

  std::int32_t partition_for(std::string_view group_id) const;
  // The shard coordinating `group_id`, or nullopt while __consumer_offsets
  // does not exist.
  std::optional<runtime::ShardId> shard_for(const metadata::Image& image, std::string_view group_id) const;
  // Creates __consumer_offsets unless it exists; none or the creation error.
  boost::asio::awaitable<protocol::ErrorCode> ensure_offsets_topic();

  broker::Broker& broker() { return *broker_; }
  runtime::ShardSet& shards() { return shards_; }
  const config::BrokerConfig& config() const { return config_; }

  // Called by GroupLifecycle on `shard` after the image changed.
  void on_image(runtime::ShardId shard, broker::ShardState& state, const metadata::Image& next);

 private:
  // Partitions of one shard being loaded; touched only on that shard.
  struct LoadProgress {
    std::size_t pending = 0;
    std::size_t partitions = 0;
    std::size_t records = 0;
    std::chrono::steady_clock::time_point started;
  };

  void load_partition(runtime::ShardId shard, protocol::Uuid topic_id, std::int32_t partition);

  const config::BrokerConfig& config_;
  runtime::ShardSet& shards_;
  broker::Broker* broker_ = nullptr;
  std::vector<std::unique_ptr<LogOffsetsStore>> stores_;
  std::vector<std::unique_ptr<GroupCoordinator>> coordinators_;
  std::vector<LoadProgress> load_progress_;  // per shard
};

// The broker's partition lifecycle plus loading and unloading of
// __consumer_offsets partitions in the coordinators.
class GroupLifecycle final : public broker::PartitionLifecycle {
 public:
  GroupLifecycle(broker::PartitionLifecycle& inner, GroupService& groups) : inner_(inner), groups_(groups) {}
  void apply(runtime::ShardId shard, broker::ShardState& state, const metadata::Image* previous,
             const metadata::Image& next) override {
    inner_.apply(shard, state, previous, next);
    groups_.on_image(shard, state, next);
  }

 private:
  broker::PartitionLifecycle& inner_;
  GroupService& groups_;
};

}  // namespace conveyor::group
