#include "conveyor/txn/txn_service.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <chrono>

#include "conveyor/broker/internal_records.h"
#include "conveyor/broker/partition_table.h"
#include "conveyor/broker/shard_for.h"
#include "conveyor/broker/txn_markers.h"
#include "conveyor/txn/txn_records.h"

namespace conveyor::txn {

namespace asio = boost::asio;
using protocol::ErrorCode;

// The coordinators' view of the broker (one for all shards: every call acts
// on the calling shard or hops itself).
class BrokerTxnBackend final : public TxnBackend {
 public:
  explicit BrokerTxnBackend(TxnService& service) : service_(service) {}

  asio::awaitable<ErrorCode> append(std::int32_t partition, std::vector<broker::InternalRecord> records,
                                    bool durable) override {
    co_return co_await broker::append_internal_records(service_.broker(), kTxnStateTopic, partition,
                                                       std::move(records), durable);
  }

  asio::awaitable<std::vector<ErrorCode>> write_markers(std::vector<TopicPartition> targets,
                                                        log::TxnMarker marker) override {
    std::vector<broker::MarkerTarget> out;
    out.reserve(targets.size());
    for (auto& t : targets) out.push_back(broker::MarkerTarget{std::move(t.topic), t.partition});
    co_return co_await broker::write_txn_markers(service_.broker(), std::move(out), marker);
  }

  asio::awaitable<std::optional<std::int64_t>> allocate_producer_id() override {
    co_return co_await service_.broker().allocate_producer_id();
  }

 private:
  TxnService& service_;
};

TxnService::TxnService(const config::BrokerConfig& config, runtime::ShardSet& shards)
    : config_(config), shards_(shards), backend_(std::make_unique<BrokerTxnBackend>(*this)) {
  TxnCoordinatorConfig c;
  c.max_timeout_ms = config.transaction_max_timeout_ms;
  c.id_expiration_ms = config.transactional_id_expiration_ms;
  c.abort_interval =
      std::chrono::milliseconds(config.transaction_abort_timed_out_transaction_cleanup_interval_ms);
  c.expiration_interval =
      std::chrono::milliseconds(config.transaction_remove_expired_transaction_cleanup_interval_ms);
  for (runtime::ShardId shard = 0; shard < shards.size(); ++shard) {
    coordinators_.push_back(std::make_unique<TxnCoordinator>(c, shards.executor(shard), *backend_));
  }
}

TxnService::~TxnService() = default;

void TxnService::attach(broker::Broker& broker) {
  broker_ = &broker;
}

void TxnService::start() {
  for (runtime::ShardId shard = 0; shard < shards_.size(); ++shard) {
    TxnCoordinator* coordinator = coordinators_[shard].get();
    asio::post(shards_.executor(shard), [coordinator] { coordinator->start(); });
  }
}

void TxnService::stop() {
  for (runtime::ShardId shard = 0; shard < shards_.size(); ++shard) {
    TxnCoordinator* coordinator = coordinators_[shard].get();
    asio::post(shards_.executor(shard), [coordinator] { coordinator->stop(); });
  }
}

std::optional<runtime::ShardId> TxnService::shard_for(const metadata::Image& image,
                                                      std::string_view transactional_id) const {
  const auto topic = image.topic(kTxnStateTopic);
  if (!topic) return std::nullopt;
  // The topic's own partition count rules once it exists.
  const std::int32_t partition = txn_partition_for(transactional_id, topic->partition_count());
  return broker::shard_for(topic->id, partition, shards_.size());
}

asio::awaitable<ErrorCode> TxnService::ensure_state_topic() {
  if (broker_->image().topic(kTxnStateTopic)) co_return ErrorCode::none;
  metadata::NewTopic topic;
  topic.name = std::string(kTxnStateTopic);
  topic.num_partitions = config_.transaction_state_log_num_partitions;
  topic.configs["cleanup.policy"] = "compact";
  topic.configs["segment.bytes"] = std::to_string(config_.transaction_state_log_segment_bytes);
  std::vector<metadata::NewTopic> topics;
  topics.push_back(std::move(topic));
  auto results = co_await broker_->create_topics(std::move(topics), false);
  const auto error = results.empty() ? ErrorCode::unknown_server_error : results.front().error;
  if (error == ErrorCode::none || error == ErrorCode::topic_already_exists) {
    if (error == ErrorCode::none) {
      spdlog::info("created {} ({} partitions, compacted)", kTxnStateTopic,
                   config_.transaction_state_log_num_partitions);
    }
    co_return ErrorCode::none;
  }
  spdlog::warn("cannot create {}: {}", kTxnStateTopic, protocol::error_name(error));
  co_return error;
}

void TxnService::on_image(runtime::ShardId shard, broker::ShardState& state,
                          const metadata::Image& next) {
  TxnCoordinator& coordinator = *coordinators_[shard];
  const auto topic = next.topic(kTxnStateTopic);
  if (!topic) return;
  for (const auto& info : topic->partitions) {
    const bool here = state.partitions->find({topic->id, info.id}) != nullptr;
    if (here && !coordinator.owns(info.id)) {
      coordinator.begin_loading(info.id, topic->partition_count(), info.leader_epoch);
      auto load = [this, shard, topic_id = topic->id, partition = info.id] {
        TxnCoordinator& c = *coordinators_[shard];
        broker::Partition* p = broker_->local().partitions->find({topic_id, partition});
        if (p == nullptr) {
          c.unload(partition);
          return;
        }
        const auto started = std::chrono::steady_clock::now();
        auto records = broker::read_internal_records(p->log());
        if (!records) {
          spdlog::error("{}-{}: cannot load: {}", kTxnStateTopic, partition, records.error());
          c.unload(partition);
          return;
        }
        c.load(partition, records.value());
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - started);
        if (!records.value().empty()) {
          spdlog::info("{}-{}: loaded {} records in {} ms", kTxnStateTopic, partition,
                       records.value().size(), ms.count());
        }
      };
      asio::post(shards_.executor(shard), std::move(load));
    } else if (!here && coordinator.owns(info.id)) {
      coordinator.unload(info.id);
    }
  }
}

}  // namespace conveyor::txn
