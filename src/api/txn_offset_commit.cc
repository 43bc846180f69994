// TxnOffsetCommit (key 28), v0-v4: a transactional producer commits a
// consumer group's offsets as part of its transaction
// (send_offsets_to_transaction). Checked here like OffsetCommit (topic and
// partition exist, metadata fits); the group's coordinator appends them as
// the producer's transactional batch and keeps them pending until the
// transaction's marker commits or aborts them (group_txn_offsets.cc).
// v3+ carries the member and generation, checked as for OffsetCommit.

#include "conveyor/api/txn_offset_commit.h"

#include "conveyor/api/offset_commit_support.h"
#include "conveyor/base/wall_clock.h"

namespace conveyor::api {

namespace {
using protocol::ErrorCode;
using protocol::TxnOffsetCommitResponse;
}  // namespace

boost::asio::awaitable<TxnOffsetCommitResponse> handle_txn_offset_commit(RequestContext& ctx,
                                                                         protocol::TxnOffsetCommitRequest& request) {
  const auto image = ctx.broker.image_ptr();
  const std::int64_t now_ms = wall_clock_ms();
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
      const auto checked = check_commit_partition(ctx, topic.get(), p.partition_index, metadata.size());
      out.error_code = protocol::to_wire(checked);
      if (checked == ErrorCode::none) {
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

  const auto errors = co_await commit_on_coordinator(ctx, std::move(commit));
  for (std::size_t i = 0; i < positions.size() && i < errors.size(); ++i) {
    response.topics[positions[i].first].partitions[positions[i].second].error_code = protocol::to_wire(errors[i]);
  }
  co_return response;
}

}  // namespace conveyor::api
