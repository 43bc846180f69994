#include "conveyor/broker/broker.h"

#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "conveyor/broker/partition_table.h"
#include "conveyor/broker/shard_for.h"
#include "conveyor/runtime/run_on.h"

namespace conveyor::broker {

namespace asio = boost::asio;
constexpr runtime::ShardId kControllerShard = 0;

Broker::Broker(const config::BrokerConfig& config, runtime::ShardSet& shards, metadata::Controller& controller,
               PartitionLifecycle& lifecycle)
    : config_(config),
      shards_(shards),
      controller_(controller),
      lifecycle_(lifecycle),
      producer_ids_(controller, config.node_id) {
  for (runtime::ShardId shard = 0; shard < shards.size(); ++shard) {
    auto state = std::make_unique<ShardState>();
    state->image = controller.image();
    state->partitions = std::make_unique<PartitionTable>();
    states_.push_back(std::move(state));
  }
}

Broker::~Broker() = default;

ShardState& Broker::local() { return *states_[runtime::ShardSet::current()]; }

runtime::ShardId Broker::shard_for(const protocol::Uuid& topic_id, std::int32_t partition) const {
  return broker::shard_for(topic_id, partition, shards_.size());
}

asio::awaitable<void> Broker::publish_image() {
  auto next = controller_.image();
  for (runtime::ShardId shard = 0; shard < shards_.size(); ++shard) {
    auto install = [this, shard, next] {
      ShardState& state = *states_[shard];
      // Concurrent changes may publish out of order; never go back in time.
      if (next->offset() < state.image->offset()) return;
      auto previous = std::exchange(state.image, next);
      lifecycle_.apply(shard, state, previous.get(), *next);
    };
    co_await runtime::run_on(shards_, shard, install);
  }
}

asio::awaitable<std::vector<metadata::TopicChangeResult>> Broker::create_topics(std::vector<metadata::NewTopic> topics,
                                                                               bool validate_only) {
  auto change = [this, topics = std::move(topics),
                 validate_only]() -> asio::awaitable<std::vector<metadata::TopicChangeResult>> {
    auto results = controller_.create_topics(topics, validate_only);
    if (!validate_only) co_await publish_image();
    co_return results;
  };
  co_return co_await runtime::run_on(shards_, kControllerShard, change);
}

asio::awaitable<metadata::TopicChangeResult> Broker::delete_topic(std::string name) {
  auto change = [this, name = std::move(name)]() -> asio::awaitable<metadata::TopicChangeResult> {
    auto topic = controller_.image()->topic(name);
    if (!topic) {
      co_return metadata::TopicChangeResult::failed(protocol::ErrorCode::unknown_topic_or_partition,
                                                    "The topic '" + name + "' does not exist.");
    }
    auto result = controller_.delete_topic(topic);
    if (result.error == protocol::ErrorCode::none) co_await publish_image();
    co_return result;
  };
  co_return co_await runtime::run_on(shards_, kControllerShard, change);
}

asio::awaitable<metadata::TopicChangeResult> Broker::create_partitions(
    std::string topic, std::int32_t count, std::vector<std::vector<std::int32_t>> assignments, bool validate_only) {
  auto change = [this, topic = std::move(topic), count, assignments = std::move(assignments),
                 validate_only]() -> asio::awaitable<metadata::TopicChangeResult> {
    auto result = controller_.create_partitions(topic, count, assignments, validate_only);
    if (result.error == protocol::ErrorCode::none && !validate_only) co_await publish_image();
    co_return result;
  };
  co_return co_await runtime::run_on(shards_, kControllerShard, change);
}

asio::awaitable<metadata::TopicChangeResult> Broker::alter_topic_configs(std::string topic,
                                                                        std::vector<metadata::ConfigChange> changes,
                                                                        bool incremental, bool validate_only) {
  auto change = [this, topic = std::move(topic), changes = std::move(changes), incremental,
                 validate_only]() -> asio::awaitable<metadata::TopicChangeResult> {
    auto result = controller_.alter_topic_configs(topic, changes, incremental, validate_only);
    if (result.error == protocol::ErrorCode::none && !validate_only) co_await publish_image();
    co_return result;
  };
  co_return co_await runtime::run_on(shards_, kControllerShard, change);
}

asio::awaitable<std::optional<std::int64_t>> Broker::allocate_producer_id() {
  auto allocate = [this]() -> std::optional<std::int64_t> {
    auto id = producer_ids_.next();
    if (id) return id.value();
    spdlog::error("cannot allocate a producer id: {}", id.error());
    return std::nullopt;
  };
  co_return co_await runtime::run_on(shards_, kControllerShard, allocate);
}

}  // namespace conveyor::broker
