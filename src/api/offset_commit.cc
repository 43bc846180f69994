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
  const std::int64_t now_ms = wall_clock_ms();
  OffsetCommitResponse response;
  group::CommitRequest commit;
  commit.group_id = request.group_id;
  commit.generation = ctx.version() >= 1 ? request.generation_id_or_member_epoch : -1;
  commit.member_id = request.member_id;
  commit.group_instance_id = request.group_instance_id;
  const int version = ctx.version();
  auto set_value = [version, now_ms](const auto& p, group::OffsetValue& value) {
    value.offset = p.committed_offset;
    value.leader_epoch = version >= 6 ? p.committed_leader_epoch : -1;
    value.commit_timestamp = (version == 1 && p.commit_timestamp >= 0) ? p.commit_timestamp : now_ms;
  };
  const auto positions = collect_commit_items(ctx, request.topics, response, commit, set_value);
  const auto errors = co_await commit_on_coordinator(ctx, std::move(commit));
  apply_commit_errors(response, positions, errors);
  if (request.group_id.empty()) {
    for (auto& t : response.topics) {
      for (auto& p : t.partitions) p.error_code = protocol::to_wire(ErrorCode::invalid_group_id);
    }
  }
  co_return response;
}

}  // namespace conveyor::api
