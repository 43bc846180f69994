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
using protocol::TxnOffsetCommitResponse;
}  // namespace

boost::asio::awaitable<TxnOffsetCommitResponse> handle_txn_offset_commit(RequestContext& ctx,
                                                                         protocol::TxnOffsetCommitRequest& request) {
  const std::int64_t now_ms = wall_clock_ms();
  TxnOffsetCommitResponse response;
  group::CommitRequest commit;
  commit.group_id = request.group_id;
  commit.generation = ctx.version() >= 3 ? request.generation_id : -1;
  commit.member_id = ctx.version() >= 3 ? request.member_id : "";
  if (ctx.version() >= 3) commit.group_instance_id = request.group_instance_id;
  commit.txn = group::TxnProducer{request.producer_id, request.producer_epoch};
  const int version = ctx.version();
  auto set_value = [version, now_ms](const auto& p, group::OffsetValue& value) {
    value.offset = p.committed_offset;
    value.leader_epoch = version >= 2 ? p.committed_leader_epoch : -1;
    value.commit_timestamp = now_ms;
  };
  const auto positions = collect_commit_items(ctx, request.topics, response, commit, set_value);
  const auto errors = co_await commit_on_coordinator(ctx, std::move(commit));
  apply_commit_errors(response, positions, errors);
  co_return response;
}

}  // namespace conveyor::api
