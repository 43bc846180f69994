// OffsetDelete (key 47), v0: deletes a group's committed offsets for some
// partitions. The group must exist (GROUP_ID_NOT_FOUND); while it has
// members, offsets of topics they subscribe to are GROUP_SUBSCRIBED_TO_TOPIC.

#include "conveyor/api/offset_delete.h"

#include "conveyor/api/group_route.h"
#include "conveyor/runtime/run_on.h"

namespace conveyor::api {

boost::asio::awaitable<protocol::OffsetDeleteResponse> handle_offset_delete(RequestContext& ctx,
                                                                           protocol::OffsetDeleteRequest& request) {
  using protocol::ErrorCode;
  protocol::OffsetDeleteResponse response;
  const auto image = ctx.broker.image_ptr();
  std::vector<group::TopicPartition> partitions;
  std::vector<std::pair<std::size_t, std::size_t>> positions;
  for (const auto& t : request.topics) {
    protocol::OffsetDeleteResponse::OffsetDeleteResponseTopic topic_out;
    topic_out.name = t.name;
    const auto topic = image->topic(t.name);
    for (const auto& p : t.partitions) {
      protocol::OffsetDeleteResponse::OffsetDeleteResponsePartition out;
      out.partition_index = p.partition_index;
      if (!topic || p.partition_index < 0 || p.partition_index >= topic->partition_count()) {
        out.error_code = protocol::to_wire(ErrorCode::unknown_topic_or_partition);
      } else {
        positions.emplace_back(response.topics.size(), topic_out.partitions.size());
        partitions.emplace_back(t.name, p.partition_index);
      }
      topic_out.partitions.push_back(out);
    }
    response.topics.push_back(std::move(topic_out));
  }
  std::pair<ErrorCode, std::vector<ErrorCode>> result{ErrorCode::group_id_not_found, {}};
  if (request.group_id.empty()) {
    result.first = ErrorCode::invalid_group_id;
  } else if (auto shard = coordinator_shard(ctx, request.group_id)) {
    auto& service = groups(ctx);
    auto work = [&service, group_id = request.group_id, partitions = std::move(partitions)]() mutable
        -> boost::asio::awaitable<std::pair<ErrorCode, std::vector<ErrorCode>>> {
      co_return co_await service.local().delete_offsets(std::move(group_id), std::move(partitions));
    };
    result = co_await runtime::run_on(service.shards(), *shard, work);
  }
  response.error_code = protocol::to_wire(result.first);
  if (result.first != ErrorCode::none) {
    response.topics.clear();
    co_return response;
  }
  for (std::size_t i = 0; i < positions.size() && i < result.second.size(); ++i) {
    response.topics[positions[i].first].partitions[positions[i].second].error_code =
        protocol::to_wire(result.second[i]);
  }
  co_return response;
}

}  // namespace conveyor::api
