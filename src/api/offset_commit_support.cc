#include "conveyor/api/offset_commit_support.h"

#include "conveyor/api/group_route.h"
#include "conveyor/runtime/run_on.h"

namespace conveyor::api {

using protocol::ErrorCode;

ErrorCode check_commit_partition(RequestContext& ctx, const metadata::TopicInfo* topic, std::int32_t partition,
                                 std::size_t metadata_size) {
  if (topic == nullptr || partition < 0 || partition >= topic->partition_count()) {
    return ErrorCode::unknown_topic_or_partition;
  }
  const auto max_metadata = static_cast<std::size_t>(ctx.broker.config().offset_metadata_max_bytes);
  return metadata_size > max_metadata ? ErrorCode::offset_metadata_too_large : ErrorCode::none;
}

boost::asio::awaitable<std::vector<ErrorCode>> commit_on_coordinator(RequestContext& ctx,
                                                                     group::CommitRequest commit) {
  const std::size_t n = commit.items.size();
  if (commit.group_id.empty()) co_return std::vector<ErrorCode>(n, ErrorCode::invalid_group_id);
  const auto shard = coordinator_shard(ctx, commit.group_id);
  if (!shard) co_return std::vector<ErrorCode>(n, ErrorCode::coordinator_not_available);
  if (n == 0) co_return std::vector<ErrorCode>{};
  auto& service = groups(ctx);
  auto work = [&service, commit = std::move(commit)]() mutable -> boost::asio::awaitable<std::vector<ErrorCode>> {
    co_return co_await service.local().commit(std::move(commit));
  };
  co_return co_await runtime::run_on(service.shards(), *shard, work);
}

}  // namespace conveyor::api
