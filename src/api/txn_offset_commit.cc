// TxnOffsetCommit (key 28), v0-v4: a transactional producer commits a
// consumer group's offsets as part of its transaction
// (send_offsets_to_transaction). Checked here like OffsetCommit (topic and
// partition exist, metadata fits); the group's coordinator appends them as
// the producer's transactional batch and keeps them pending until the
// transaction's marker commits or aborts them (group_txn_offsets.cc).
// v3+ carries the member and generation, checked as for OffsetCommit.

#include "conveyor/api/txn_offset_commit.h"

#include "conveyor/api/group_route.h"
#include "conveyor/base/wall_clock.h"
#include "conveyor/runtime/run_on.h"

namespace conveyor::api {

namespace {
using protocol::ErrorCode;
using protocol::TxnOffsetCommitResponse;
}  // namespace

boost::asio::awaitable<TxnOffsetCommitResponse> handle_txn_offset_commit(RequestContext& ctx,
                                                                         protocol::TxnOffsetCommitRequest& request) {
  const auto image = ctx.broker.image_ptr();
  const std::int64_t now_ms = wall_clock_ms();
  const auto max_metadata = static_cast<std::size_t>(ctx.broker.config().offset_metadata_max_bytes);
  TxnOffsetCommitResponse response;
  group::CommitRequest commit;
  commit.group_id = request.group_id;
  commit.generation = ctx.version() >= 3 ? request.generation_id : -1;
  commit.member_id = ctx.version() >= 3 ? request.member_id : "";
  if (ctx.version() >= 3) commit.group_instance_id = request.group_instance_id;
  commit.txn = group::TxnProducer{request.producer_id, request.producer_epoch};
  std::vector<std::pair<std::size_t, std::size_t>> positions;  // of commit.items in the response
  for (const auto& topic_request : request.topics) {
    TxnOffsetCommitResponse::TxnOffsetCommitResponseTopic topic_response;
    topic_response.name = topic_request.name;
    const auto topic = image->topic(topic_request.name);
    for (const auto& p : topic_request.partitions) {
      TxnOffsetCommitResponse::TxnOffsetCommitResponsePartition out;
      out.partition_index = p.partition_index;
      const std::string metadata = p.committed_metadata.value_or("");
      if (!topic || p.partition_index < 0 || p.partition_index >= topic->partition_count()) {
        out.error_code = protocol::to_wire(ErrorCode::unknown_topic_or_partition);
      } else if (metadata.size() > max_metadata) {
        out.error_code = protocol::to_wire(ErrorCode::offset_metadata_too_large);
      } else {
        group::CommitItem item;
        item.topic = topic_request.name;
        item.partition = p.partition_index;
        item.value.offset = p.committed_offset;
        item.value.leader_epoch = ctx.version() >= 2 ? p.committed_leader_epoch : -1;
        item.value.metadata = metadata;
        item.value.commit_timestamp = now_ms;
        commit.items.push_back(std::move(item));
        positions.emplace_back(response.topics.size(), topic_response.partitions.size());
      }
      topic_response.partitions.push_back(out);
    }
    response.topics.push_back(std::move(topic_response));
  }

  std::vector<ErrorCode> errors;
  const auto shard = coordinator_shard(ctx, request.group_id);
  if (request.group_id.empty()) {
    errors.assign(commit.items.size(), ErrorCode::invalid_group_id);
  } else if (!shard) {
    errors.assign(commit.items.size(), ErrorCode::coordinator_not_available);
  } else if (!commit.items.empty()) {
    auto& service = groups(ctx);
    auto work = [&service, commit = std::move(commit)]() mutable
        -> boost::asio::awaitable<std::vector<ErrorCode>> { co_return co_await service.local().commit(std::move(commit)); };
    errors = co_await runtime::run_on(service.shards(), *shard, work);
  }
  for (std::size_t i = 0; i < positions.size() && i < errors.size(); ++i) {
    response.topics[positions[i].first].partitions[positions[i].second].error_code = protocol::to_wire(errors[i]);
  }
  co_return response;
}

}  // namespace conveyor::api
