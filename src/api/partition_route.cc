#include "conveyor/api/partition_route.h"

namespace conveyor::api {

using protocol::ErrorCode;

PartitionRoute route_partition(broker::Broker& broker, const metadata::TopicInfo* topic, std::int32_t partition) {
  PartitionRoute route;
  if (topic == nullptr || partition < 0 || partition >= topic->partition_count()) {
    route.error = ErrorCode::unknown_topic_or_partition;
    return route;
  }
  const auto& info = topic->partitions[static_cast<std::size_t>(partition)];
  if (info.leader != broker.node_id()) {
    route.error = info.leader < 0 ? ErrorCode::leader_not_available : ErrorCode::not_leader_or_follower;
    return route;
  }
  route.key = broker::PartitionKey{topic->id, partition};
  route.shard = broker.shard_for(topic->id, partition);
  route.leader_epoch = info.leader_epoch;
  return route;
}

ErrorCode check_leader_epoch(std::int32_t client_epoch, std::int32_t leader_epoch) {
  if (client_epoch < 0 || client_epoch == leader_epoch) return ErrorCode::none;
  return client_epoch < leader_epoch ? ErrorCode::fenced_leader_epoch : ErrorCode::unknown_leader_epoch;
}

}  // namespace conveyor::api
