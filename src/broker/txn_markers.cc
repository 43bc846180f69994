#include "conveyor/broker/txn_markers.h"

#include "conveyor/base/wall_clock.h"
#include "conveyor/broker/partition_table.h"
#include "conveyor/broker/wait_durable.h"
#include "conveyor/runtime/fan_out.h"

namespace conveyor::broker {

namespace asio = boost::asio;
using protocol::ErrorCode;

namespace {

struct Routed {
  std::size_t index = 0;  // in the caller's targets
  PartitionKey key;
  std::int32_t leader_epoch = 0;
};

ErrorCode marker_error(log::LogError error) {
  switch (error) {
    case log::LogError::invalid_producer_epoch: return ErrorCode::invalid_producer_epoch;
    default: return ErrorCode::kafka_storage_error;
  }
}

// On the shard owning every partition in `routed`: append, then wait durable.
asio::awaitable<std::vector<ErrorCode>> write_on_shard(Broker& broker, const std::vector<Routed>& routed,
                                                       log::TxnMarker marker) {
  std::vector<ErrorCode> errors(routed.size(), ErrorCode::none);
  std::vector<std::shared_ptr<log::PartitionLog>> written;
  std::vector<std::size_t> written_index;
  const std::int64_t now_ms = wall_clock_ms();
  for (std::size_t i = 0; i < routed.size(); ++i) {
    Partition* partition = broker.local().partitions->find(routed[i].key);
    if (partition == nullptr) {
      errors[i] = ErrorCode::not_leader_or_follower;
      continue;
    }
    auto appended = partition->log().append_marker(marker, routed[i].leader_epoch, now_ms);
    if (!appended) {
      errors[i] = marker_error(appended.error());
      continue;
    }
    broker.notify_txn_marker(*partition, marker, appended->base_offset);
    partition->waiters().notify_all();
    written.push_back(partition->log_ptr());
    written_index.push_back(i);
  }
  const auto durable = co_await wait_durable(std::move(written));
  for (std::size_t w = 0; w < durable.size(); ++w) {
    if (!durable[w]) errors[written_index[w]] = ErrorCode::kafka_storage_error;
  }
  co_return errors;
}

}  // namespace

asio::awaitable<std::vector<ErrorCode>> write_txn_markers(Broker& broker, std::vector<MarkerTarget> targets,
                                                          log::TxnMarker marker) {
  std::vector<ErrorCode> errors(targets.size(), ErrorCode::none);
  std::vector<std::vector<Routed>> by_shard(broker.shards().size());
  const auto image = broker.image_ptr();
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const auto topic = image->topic(targets[i].topic);
    if (!topic || targets[i].partition < 0 || targets[i].partition >= topic->partition_count()) {
      errors[i] = ErrorCode::unknown_topic_or_partition;
      continue;
    }
    const auto& info = topic->partitions[static_cast<std::size_t>(targets[i].partition)];
    const auto shard = broker.shard_for(topic->id, targets[i].partition);
    by_shard[shard].push_back(Routed{i, PartitionKey{topic->id, targets[i].partition}, info.leader_epoch});
  }
  std::vector<runtime::ShardCall<std::vector<ErrorCode>>> calls;
  std::vector<runtime::ShardId> shards;
  for (runtime::ShardId shard = 0; shard < by_shard.size(); ++shard) {
    if (by_shard[shard].empty()) continue;
    const auto* routed = &by_shard[shard];
    auto call = [&broker, routed, marker]() { return write_on_shard(broker, *routed, marker); };
    calls.push_back({shard, std::move(call)});
    shards.push_back(shard);
  }
  auto results = co_await runtime::fan_out(broker.shards(), std::move(calls));
  for (std::size_t s = 0; s < shards.size(); ++s) {
    const auto& routed = by_shard[shards[s]];
    for (std::size_t i = 0; i < routed.size(); ++i) errors[routed[i].index] = results[s][i];
  }
  co_return errors;
}

}  // namespace conveyor::broker
