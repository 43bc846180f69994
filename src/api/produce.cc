// Produce (key 0), v0-v11. From v3 clients send magic 2 record batches, the
// log's own format; the magic 0/1 message sets of v0-v2 are converted to one
// magic 2 batch first (protocol/legacy_message_set.h), as Kafka does.
//
// 1. Validate: acks, topic and partition exist and are led here,
//    min.insync.replicas for acks=all.
// 2. Delegate: the partitions are grouped by owning shard and appended there,
//    all shards at once (fan_out posts every shard's work before this handler
//    first suspends, which keeps a connection's pipelined produces in order).
//    The log validates each batch and assigns offsets in the request buffer
//    itself, then writes it: the bytes are never copied or re-encoded.
// 3. Wait as `acks` says (docs/durability.md):
//      acks=0   nothing is sent back;
//      acks=1   answered once the batches are in the log (page cache);
//      acks=all with acks.all.fsync=true (default): answered after the
//               group-commit fsync that covers them; with false, as acks=1
//               (one replica: the leader is the whole ISR).
// 4. Respond with each partition's base offset, log start offset and, for
//    LogAppendTime topics, the append time.
//
// Transactional producers name their transactional_id; their batches carry
// the transactional flag and the producer id and epoch the coordinator gave
// them. Nothing more is checked here: the log's producer state
// (log/producer_state.h) opens the transaction on the partition at its
// first batch and fences old epochs, and the coordinator's markers end it.
// (Kafka 3.6+ also asks the coordinator whether the partition was added to
// the transaction first, KIP-890 part 1; Conveyor does not yet.)

#include "conveyor/api/produce.h"

#include <chrono>
#include <list>

#include "conveyor/api/log_errors.h"
#include "conveyor/api/on_owning_shards.h"
#include "conveyor/api/partition_route.h"
#include "conveyor/base/wall_clock.h"
#include "conveyor/broker/log_config_for.h"
#include "conveyor/broker/wait_durable.h"
#include "conveyor/log/partition_log.h"
#include "conveyor/protocol/legacy_message_set.h"

namespace conveyor::api {

namespace {

namespace asio = boost::asio;
using protocol::ErrorCode;
using protocol::ProduceResponse;

struct Append {
  std::size_t topic_index = 0;
  std::size_t partition_index = 0;
  broker::PartitionKey key;
  std::int32_t leader_epoch = -1;
  std::span<std::uint8_t> batches;
};

struct Appended {
  ErrorCode error = ErrorCode::none;
  log::AppendResult result;
};

// Runs on the shard that owns every partition in `appends`.
asio::awaitable<std::vector<Appended>> append_on_shard(broker::Broker& broker, const std::vector<Append>& appends,
                                                       bool wait_for_fsync, std::int64_t now_ms) {
  auto& partitions = *broker.local().partitions;
  std::vector<Appended> results(appends.size());
  std::vector<std::shared_ptr<log::PartitionLog>> written;
  std::vector<std::size_t> written_index;
  for (std::size_t i = 0; i < appends.size(); ++i) {
    broker::Partition* partition = partitions.find(appends[i].key);
    if (partition == nullptr) {
      // In the image but its log is not open here (yet, or it failed to open).
      results[i].error = ErrorCode::not_leader_or_follower;
      continue;
    }
    auto appended = partition->log().append(appends[i].batches, appends[i].leader_epoch, now_ms);
    if (!appended) {
      results[i].error = to_error_code(appended.error());
      continue;
    }
    results[i].result = appended.value();
    partition->waiters().notify_all();
    if (wait_for_fsync) {
      written.push_back(partition->log_ptr());
      written_index.push_back(i);
    }
  }
  if (!written.empty()) {
    const auto durable = co_await broker::wait_durable(std::move(written));
    for (std::size_t w = 0; w < durable.size(); ++w) {
      if (!durable[w]) results[written_index[w]].error = ErrorCode::kafka_storage_error;
    }
  }
  co_return results;
}

// Decompressing a legacy message set stops here (a bound against bombs,
// far above max.message.bytes).
constexpr std::size_t kMaxUpconvertBytes = 64u << 20;

ErrorCode upconvert_error(protocol::BatchError error) {
  switch (error) {
    case protocol::BatchError::truncated:
    case protocol::BatchError::bad_length:
    case protocol::BatchError::bad_crc: return ErrorCode::corrupt_message;
    case protocol::BatchError::bad_compression: return ErrorCode::unsupported_compression_type;
    default: return ErrorCode::invalid_record;
  }
}

ProduceResponse::PartitionProduceResponse partition_error(std::int32_t index, ErrorCode error) {
  ProduceResponse::PartitionProduceResponse out;
  out.index = index;
  out.error_code = protocol::to_wire(error);
  out.base_offset = -1;
  return out;
}

}  // namespace

asio::awaitable<std::optional<ProduceResponse>> handle_produce(RequestContext& ctx,
                                                               protocol::ProduceRequest& request) {
  auto& broker = ctx.broker;
  const auto image = broker.image_ptr();
  const bool valid_acks = request.acks == 0 || request.acks == 1 || request.acks == -1;
  const bool wait_for_fsync = request.acks == -1 && broker.config().acks_all_fsync;

  ProduceResponse response;
  std::vector<std::vector<Append>> by_shard(broker.shards().size());
  // Batches up-converted from v0-v2 message sets, alive until appended.
  std::list<std::vector<std::uint8_t>> converted;
  // The request's clock, for up-conversion and the log (LogAppendTime,
  // time-based rolling), read once.
  const std::int64_t now_ms = wall_clock_ms();
  for (std::size_t t = 0; t < request.topic_data.size(); ++t) {
    auto& topic_data = request.topic_data[t];
    ProduceResponse::TopicProduceResponse topic_response;
    topic_response.name = topic_data.name;
    const auto topic = image->topic(topic_data.name);
    for (std::size_t p = 0; p < topic_data.partition_data.size(); ++p) {
      auto& data = topic_data.partition_data[p];
      topic_response.partition_responses.push_back(partition_error(data.index, ErrorCode::none));
      auto& out = topic_response.partition_responses.back();
      if (!valid_acks) {
        out.error_code = protocol::to_wire(ErrorCode::invalid_required_acks);
        continue;
      }
      const auto route = route_partition(broker, topic.get(), data.index);
      if (route.error != ErrorCode::none) {
        out.error_code = protocol::to_wire(route.error);
        continue;
      }
      const auto& info = topic->partitions[static_cast<std::size_t>(data.index)];
      if (request.acks == -1 &&
          static_cast<std::int32_t>(info.isr.size()) < broker::min_insync_replicas(broker.config(), topic->configs)) {
        out.error_code = protocol::to_wire(ErrorCode::not_enough_replicas);
        continue;
      }
      if (data.records.is_null() || data.records.size() == 0) {
        out.error_code = protocol::to_wire(ErrorCode::invalid_record);
        if (ctx.version() >= 8) out.error_message = "a produce request must carry at least one record batch";
        continue;
      }
      // The request frame is ours alone (server::RequestFrame): the log
      // assigns offsets in it before writing, as Kafka does with its buffer.
      const auto bytes = data.records.bytes();
      std::span<std::uint8_t> batches(const_cast<std::uint8_t*>(bytes.data()), bytes.size());
      if (const auto magic = protocol::records_magic(bytes); ctx.version() <= 2 && magic && *magic < 2) {
        auto upconverted = protocol::upconvert_message_set(bytes, now_ms, kMaxUpconvertBytes);
        if (!upconverted || upconverted->empty()) {
          out.error_code = protocol::to_wire(upconverted ? ErrorCode::invalid_record
                                                         : upconvert_error(upconverted.error()));
          continue;
        }
        batches = converted.emplace_back(std::move(upconverted.value()));
      }
      by_shard[route.shard].push_back(Append{t, p, route.key, route.leader_epoch, batches});
    }
    response.responses.push_back(std::move(topic_response));
  }

  auto append = [wait_for_fsync, now_ms](broker::Broker& b, const std::vector<Append>& appends) {
    return append_on_shard(b, appends, wait_for_fsync, now_ms);
  };
  auto results = co_await on_owning_shards<Appended>(broker, by_shard, append);
  for (runtime::ShardId shard = 0; shard < by_shard.size(); ++shard) {
    for (std::size_t i = 0; i < by_shard[shard].size(); ++i) {
      const Append& sent = by_shard[shard][i];
      const Appended& appended = results[shard][i];
      auto& out = response.responses[sent.topic_index].partition_responses[sent.partition_index];
      out.error_code = protocol::to_wire(appended.error);
      if (appended.error == ErrorCode::none) {
        out.base_offset = appended.result.base_offset;
        out.log_append_time_ms = appended.result.log_append_time;
        out.log_start_offset = appended.result.log_start_offset;
      }
    }
  }
  if (request.acks == 0) co_return std::nullopt;
  co_return response;
}

}  // namespace conveyor::api
