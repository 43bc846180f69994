#include "conveyor/broker/log_lifecycle.h"

#include <spdlog/spdlog.h>

#include "conveyor/broker/log_config_for.h"
#include "conveyor/broker/partition_table.h"
#include "conveyor/broker/shard_for.h"
#include "conveyor/log/partition_log.h"

namespace conveyor::broker {

void LogLifecycle::apply(runtime::ShardId shard, ShardState& state, const metadata::Image* previous,
                         const metadata::Image& next) {
  drop_removed(state, next);
  open_owned(shard, state, previous, next);
}

void LogLifecycle::open_owned(runtime::ShardId shard, ShardState& state, const metadata::Image* previous,
                              const metadata::Image& next) {
  for (const auto& [name, topic] : next.topics()) {
    const auto before = previous ? previous->topic(topic->id) : nullptr;
    const bool configs_changed = before && before->configs != topic->configs;
    std::optional<log::LogConfig> log_config;
    for (const auto& partition : topic->partitions) {
      if (partition.leader != config_.node_id) continue;
      if (shard_for(topic->id, partition.id, shard_count_) != shard) continue;
      if (!log_config) log_config = log_config_for(config_, topic->configs);
      const PartitionKey key{topic->id, partition.id};
      if (Partition* existing = state.partitions->find(key)) {
        if (configs_changed) existing->log().update_config(*log_config);
        continue;
      }
      auto opened = logs_.open(topic->name, partition.id, *log_config);
      if (!opened) {
        spdlog::error("cannot open the log of {}-{}: {}; the partition is offline", topic->name, partition.id,
                      log::to_string(opened.error()));
        continue;
      }
      std::shared_ptr<log::PartitionLog> log = std::move(opened.value());
      state.partitions->add(std::make_unique<Partition>(topic->name, key, std::move(log)));
    }
  }
}

void LogLifecycle::drop_removed(ShardState& state, const metadata::Image& next) {
  std::vector<PartitionKey> gone;
  state.partitions->for_each([&](Partition& partition) {
    const auto topic = next.topic(partition.key().topic_id);
    const bool exists = topic && partition.key().partition < topic->partition_count() &&
                        topic->partitions[static_cast<std::size_t>(partition.key().partition)].leader ==
                            config_.node_id;
    if (!exists) gone.push_back(partition.key());
  });
  for (const auto& key : gone) {
    auto partition = state.partitions->remove(key);
    // Long polls waiting on it answer now (and find it gone).
    partition->waiters().notify_all();
    partition->log().close();
    if (!next.topic(key.topic_id)) {
      // Deleted: the directory is renamed at once and removed (a restart
      // finishes an interrupted removal). Fetch responses still sending
      // from its segments keep their open descriptors until done.
      if (auto removed = logs_.remove(partition->topic(), key.partition); !removed) {
        spdlog::error("cannot remove the log of {}-{}: {}", partition->topic(), key.partition,
                      log::to_string(removed.error()));
      }
    }
  }
}

}  // namespace conveyor::broker
