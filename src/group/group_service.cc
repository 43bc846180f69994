#include "conveyor/group/group_service.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <chrono>

#include "conveyor/base/wall_clock.h"
#include "conveyor/broker/internal_records.h"
#include "conveyor/broker/partition_table.h"
#include "conveyor/broker/shard_for.h"
#include "conveyor/broker/wait_durable.h"
#include "conveyor/log/partition_log.h"
#include "conveyor/protocol/record_batch.h"
#include "conveyor/runtime/run_on.h"

namespace conveyor::group {

namespace asio = boost::asio;
using protocol::ErrorCode;

// Appends the coordinator's records to a __consumer_offsets partition on
// the calling shard, then waits for the group-commit fsync.
class LogOffsetsStore final : public OffsetsStore {
 public:
  explicit LogOffsetsStore(GroupService& groups) : groups_(groups) {}

  asio::awaitable<ErrorCode> append(std::int32_t partition, std::vector<StoredRecord> records,
                                    std::optional<TxnProducer> txn) override {
    std::optional<broker::InternalProducer> producer;
    if (txn) producer = broker::InternalProducer{txn->producer_id, txn->producer_epoch};
    const auto error = co_await broker::append_internal_records(groups_.broker(), kOffsetsTopic, partition,
                                                                std::move(records), true, producer);
    // A batch of commits over max.message.bytes is the client's error.
    co_return error == ErrorCode::message_too_large ? ErrorCode::invalid_commit_offset_size : error;
  }

 private:
  GroupService& groups_;
};

GroupService::GroupService(const config::BrokerConfig& config, runtime::ShardSet& shards)
    : config_(config), shards_(shards) {
  CoordinatorConfig c;
  c.offsets_partitions = config.offsets_topic_num_partitions;
  c.initial_rebalance_delay = std::chrono::milliseconds(config.group_initial_rebalance_delay_ms);
  c.min_session_timeout_ms = config.group_min_session_timeout_ms;
  c.max_session_timeout_ms = config.group_max_session_timeout_ms;
  c.max_group_size = config.group_max_size;
  c.offsets_retention = std::chrono::minutes(config.offsets_retention_minutes);
  c.retention_check_interval = std::chrono::milliseconds(config.offsets_retention_check_interval_ms);
  for (runtime::ShardId shard = 0; shard < shards.size(); ++shard) {
    stores_.push_back(std::make_unique<LogOffsetsStore>(*this));
    coordinators_.push_back(std::make_unique<GroupCoordinator>(c, shards.executor(shard), *stores_.back()));
  }
  load_progress_.resize(shards.size());
}

GroupService::~GroupService() = default;

void GroupService::attach(broker::Broker& broker) {
  broker_ = &broker;
  // Transaction markers on __consumer_offsets end TxnOffsetCommit offsets.
  auto on_marker = [this](broker::Partition& partition, const log::TxnMarker& marker, std::int64_t) {
    if (partition.topic() != kOffsetsTopic) return;
    local().complete_txn_offsets(partition.key().partition, marker.producer_id, marker.commit);
  };
  broker.set_txn_marker_listener(on_marker);
}

void GroupService::start() {
  for (runtime::ShardId shard = 0; shard < shards_.size(); ++shard) {
    GroupCoordinator* coordinator = coordinators_[shard].get();
    asio::post(shards_.executor(shard), [coordinator] { coordinator->start(); });
  }
}

void GroupService::stop() {
  for (runtime::ShardId shard = 0; shard < shards_.size(); ++shard) {
    GroupCoordinator* coordinator = coordinators_[shard].get();
    asio::post(shards_.executor(shard), [coordinator] { coordinator->stop(); });
  }
}

std::int32_t GroupService::partition_for(std::string_view group_id) const {
  return offsets_partition_for(group_id, config_.offsets_topic_num_partitions);
}

std::optional<runtime::ShardId> GroupService::shard_for(const metadata::Image& image, std::string_view group_id) const {
  const auto topic = image.topic(kOffsetsTopic);
  if (!topic) return std::nullopt;
  // The topic's own partition count rules once it exists.
  const std::int32_t partition = offsets_partition_for(group_id, topic->partition_count());
  return broker::shard_for(topic->id, partition, shards_.size());
}

asio::awaitable<ErrorCode> GroupService::ensure_offsets_topic() {
  if (broker_->image().topic(kOffsetsTopic)) co_return ErrorCode::none;
  metadata::NewTopic topic;
  topic.name = std::string(kOffsetsTopic);
  topic.num_partitions = config_.offsets_topic_num_partitions;
  topic.configs["cleanup.policy"] = "compact";
  topic.configs["segment.bytes"] = "104857600";  // offsets.topic.segment.bytes
  std::vector<metadata::NewTopic> topics;
  topics.push_back(std::move(topic));
  auto results = co_await broker_->create_topics(std::move(topics), false);
  const auto error = results.empty() ? ErrorCode::unknown_server_error : results.front().error;
  if (error == ErrorCode::none || error == ErrorCode::topic_already_exists) {
    spdlog::info("created {} ({} partitions, compacted)", kOffsetsTopic, config_.offsets_topic_num_partitions);
    co_return ErrorCode::none;
  }
  spdlog::warn("cannot create {}: {}", kOffsetsTopic, protocol::error_name(error));
  co_return error;
}

void GroupService::on_image(runtime::ShardId shard, broker::ShardState& state, const metadata::Image& next) {
  GroupCoordinator& coordinator = *coordinators_[shard];
  const auto topic = next.topic(kOffsetsTopic);
  if (!topic) return;
  for (const auto& info : topic->partitions) {
    const bool here = state.partitions->find({topic->id, info.id}) != nullptr;
    if (here && !coordinator.owns(info.id)) {
      coordinator.begin_loading(info.id);
      LoadProgress& progress = load_progress_[shard];
      if (progress.pending == 0) progress = LoadProgress{0, 0, 0, std::chrono::steady_clock::now()};
      ++progress.pending;
      auto load = [this, shard, topic_id = topic->id, partition = info.id] { load_partition(shard, topic_id, partition); };
      asio::post(shards_.executor(shard), std::move(load));
    } else if (!here && coordinator.owns(info.id)) {
      coordinator.unload(info.id);
    }
  }
}

// Runs on `shard`, posted by on_image. The read blocks the shard thread
// (see read_partition); the summary line gives the whole load's duration
// per shard, from the first partition marked loading to the last replayed.
void GroupService::load_partition(runtime::ShardId shard, protocol::Uuid topic_id, std::int32_t partition) {
  GroupCoordinator& c = *coordinators_[shard];
  LoadProgress& progress = load_progress_[shard];
  std::size_t records_read = 0;
  const auto started = std::chrono::steady_clock::now();
  broker::Partition* p = broker_->local().partitions->find({topic_id, partition});
  if (p == nullptr) {
    c.unload(partition);
  } else if (auto records = broker::read_internal_records(p->log(), /*with_markers=*/true); !records) {
    spdlog::error("{}-{}: cannot load: {}", kOffsetsTopic, partition, records.error());
    c.unload(partition);
  } else {
    c.load(partition, records.value());
    records_read = records.value().size();
    spdlog::debug("{}-{}: loaded {} records in {} us", kOffsetsTopic, partition, records_read,
                  std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count());
  }
  ++progress.partitions;
  progress.records += records_read;
  if (--progress.pending > 0) return;
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - progress.started);
  spdlog::info("group coordinator (shard {}): {} {} partitions loaded ({} records, {} groups) in {} ms", shard,
               progress.partitions, kOffsetsTopic, progress.records, c.group_count(), ms.count());
}

}  // namespace conveyor::group
