// OffsetCommit (key 8), v0-v9. Checked here, on the connection's shard:
// the topic and partition exist (else UNKNOWN_TOPIC_OR_PARTITION) and the
// metadata string fits offset.metadata.max.bytes (else
// OFFSET_METADATA_TOO_LARGE). The rest hops to the coordinator shard, which
// checks membership and generation, appends the commits to the group's
// __consumer_offsets partition and answers once they are fsync'd.

#include "conveyor/api/offset_commit.h"

#include "conveyor/api/offset_commit_support.h"
#include "conveyor/base/wall_clock.h"

namespace conveyor::api {

namespace {
using protocol::ErrorCode;
using protocol::OffsetCommitResponse;
}  // namespace

boost::asio::awaitable<OffsetCommitResponse> handle_offset_commit(RequestContext& ctx,
                                                                 protocol::OffsetCommitRequest& request) {
  const auto image = ctx.broker.image_ptr();
  const std::int64_t now_ms = wall_clock_ms();
  OffsetCommitResponse response;
  group::CommitRequest commit;
  commit.group_id = request.group_id;
  commit.generation = ctx.version() >= 1 ? request.generation_id_or_member_epoch : -1;
  commit.member_id = request.member_id;
  commit.group_instance_id = request.group_instance_id;
  std::vector<std::pair<std::size_t, std::size_t>> positions;  // of commit.items in the response
  for (const auto& topic_request : request.topics) {
    OffsetCommitResponse::OffsetCommitResponseTopic topic_response;
    topic_response.name = topic_request.name;
    const auto topic = image->topic(topic_request.name);
    for (const auto& p : topic_request.partitions) {
      OffsetCommitResponse::OffsetCommitResponsePartition out;
      out.partition_index = p.partition_index;
      const std::string metadata = p.committed_metadata.value_or("");
      const auto checked = check_commit_partition(ctx, topic.get(), p.partition_index, metadata.size());
      out.error_code = protocol::to_wire(checked);
      if (checked == ErrorCode::none) {
        group::CommitItem item;
        item.topic = topic_request.name;
        item.partition = p.partition_index;
        item.value.offset = p.committed_offset;
        item.value.leader_epoch = ctx.version() >= 6 ? p.committed_leader_epoch : -1;
        item.value.metadata = metadata;
        item.value.commit_timestamp = (ctx.version() == 1 && p.commit_timestamp >= 0) ? p.commit_timestamp : now_ms;
        commit.items.push_back(std::move(item));
        positions.emplace_back(response.topics.size(), topic_response.partitions.size());
      }
      topic_response.partitions.push_back(out);
    }
    response.topics.push_back(std::move(topic_response));
  }

  const auto errors = co_await commit_on_coordinator(ctx, std::move(commit));
  for (std::size_t i = 0; i < positions.size() && i < errors.size(); ++i) {
    response.topics[positions[i].first].partitions[positions[i].second].error_code = protocol::to_wire(errors[i]);
  }
  if (request.group_id.empty()) {
    for (auto& t : response.topics) {
      for (auto& p : t.partitions) p.error_code = protocol::to_wire(ErrorCode::invalid_group_id);
    }
  }
  co_return response;
}

}  // namespace conveyor::api
