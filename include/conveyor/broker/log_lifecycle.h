#pragma once
// LogLifecycle: keeps each shard's partition table in step with the metadata
// image. When an image is published, every shard opens the logs of the
// partitions it now owns and leads (creating their directories), updates the
// config of logs whose topic config changed, and closes and removes the logs
// of partitions that are gone (DeleteTopics).
//
// Opening runs on the shard thread: a new partition's directory and first
// segment are a few small files. (Recovery of many partitions at start-up is
// the log manager's job, before the shards take traffic.)

#include "conveyor/broker/broker.h"
#include "conveyor/log/log_manager.h"

namespace conveyor::broker {

class LogLifecycle final : public PartitionLifecycle {
 public:
  LogLifecycle(const config::BrokerConfig& config, log::LogManager& logs, unsigned shard_count)
      : config_(config), logs_(logs), shard_count_(shard_count) {}

  void apply(runtime::ShardId shard, ShardState& state, const metadata::Image* previous,
             const metadata::Image& next) override;

 private:
  void open_owned(runtime::ShardId shard, ShardState& state, const metadata::Image* previous,
                  const metadata::Image& next);
  void drop_removed(ShardState& state, const metadata::Image& next);

  const config::BrokerConfig& config_;
  log::LogManager& logs_;
  unsigned shard_count_;
};

}  // namespace conveyor::broker
