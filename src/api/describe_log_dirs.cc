// DescribeLogDirs (key 35), v1-v4 (v0 went with Kafka 4.0): every log dir
// with the partitions it holds and their sizes on disk, and (v4+) the
// directory's total and usable bytes. A null topic list means every
// partition. offset_lag is 0: there are no future replicas being moved.

#include "conveyor/api/describe_log_dirs.h"

#include <filesystem>
#include <map>

#include "conveyor/broker/partition_table.h"
#include "conveyor/log/partition_log.h"
#include "conveyor/runtime/fan_out.h"

namespace conveyor::api {

namespace {

namespace asio = boost::asio;
using protocol::DescribeLogDirsResponse;

struct StoredPartition {
  std::string log_dir;
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t size = 0;
};

std::vector<StoredPartition> partitions_on_shard(broker::Broker& broker) {
  std::vector<StoredPartition> out;
  broker.local().partitions->for_each([&](broker::Partition& p) {
    out.push_back({p.log().dir().parent_path().string(), p.topic(), p.key().partition, p.log().size_in_bytes()});
  });
  return out;
}

bool wanted(const protocol::DescribeLogDirsRequest& request, const StoredPartition& p) {
  if (!request.topics) return true;
  for (const auto& topic : *request.topics) {
    if (topic.topic != p.topic) continue;
    for (const auto partition : topic.partitions) {
      if (partition == p.partition) return true;
    }
  }
  return false;
}

}  // namespace

asio::awaitable<DescribeLogDirsResponse> handle_describe_log_dirs(RequestContext& ctx,
                                                                  protocol::DescribeLogDirsRequest& request) {
  auto& broker = ctx.broker;
  // Every shard reports the partitions it owns.
  std::vector<runtime::ShardCall<std::vector<StoredPartition>>> calls;
  for (runtime::ShardId shard = 0; shard < broker.shards().size(); ++shard) {
    auto list = [&broker]() -> asio::awaitable<std::vector<StoredPartition>> { co_return partitions_on_shard(broker); };
    calls.push_back({shard, std::move(list)});
  }
  auto per_shard = co_await runtime::fan_out(broker.shards(), std::move(calls));

  // log dir -> topic -> partitions, in a stable order.
  std::map<std::string, std::map<std::string, std::vector<DescribeLogDirsResponse::DescribeLogDirsPartition>>> dirs;
  for (const auto& configured : broker.config().log_dirs) {
    dirs[std::filesystem::absolute(configured).lexically_normal().string()];
  }
  for (const auto& shard : per_shard) {
    for (const auto& p : shard) {
      if (!wanted(request, p)) continue;
      DescribeLogDirsResponse::DescribeLogDirsPartition partition;
      partition.partition_index = p.partition;
      partition.partition_size = p.size;
      dirs[std::filesystem::absolute(p.log_dir).lexically_normal().string()][p.topic].push_back(partition);
    }
  }
  DescribeLogDirsResponse response;
  for (auto& [dir, topics] : dirs) {
    DescribeLogDirsResponse::DescribeLogDirsResult result;
    result.log_dir = dir;
    for (auto& [name, partitions] : topics) {
      DescribeLogDirsResponse::DescribeLogDirsTopic topic;
      topic.name = name;
      topic.partitions = std::move(partitions);
      result.topics.push_back(std::move(topic));
    }
    if (ctx.version() >= 4) {
      std::error_code ec;
      const auto space = std::filesystem::space(dir, ec);
      if (!ec) {
        result.total_bytes = static_cast<std::int64_t>(space.capacity);
        result.usable_bytes = static_cast<std::int64_t>(space.available);
      }
    }
    response.results.push_back(std::move(result));
  }
  co_return response;
}

}  // namespace conveyor::api
