#include "conveyor/broker/internal_records.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>

#include "conveyor/base/wall_clock.h"
#include "conveyor/broker/partition_table.h"
#include "conveyor/broker/wait_durable.h"
#include "conveyor/log/partition_log.h"
#include "conveyor/protocol/record_batch.h"

namespace conveyor::broker {

namespace asio = boost::asio;
using protocol::ErrorCode;

namespace {

constexpr std::uint32_t kReadChunk = 1 << 20;
// A bound on one decompressed batch (coordinators write uncompressed ones).
constexpr std::size_t kMaxDecompressed = 64u << 20;

// The bytes of `records` (a file range or memory), into `buffer`.
bool copy_records(const protocol::Records& records, std::vector<std::uint8_t>& buffer) {
  buffer.resize(records.size());
  if (!records.is_file()) {
    std::copy(records.bytes().begin(), records.bytes().end(), buffer.begin());
    return true;
  }
  const auto& slice = records.file_slice();
  std::size_t done = 0;
  while (done < slice.size) {
    const ssize_t n = ::pread(slice.file->fd(), buffer.data() + done, slice.size - done,
                              static_cast<off_t>(slice.position + done));
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// A transaction marker's record, as {producer id, commit or abort}.
void append_marker(std::span<const std::uint8_t> bytes, const protocol::RecordBatchHeader& header,
                   std::vector<InternalRecord>& out) {
  protocol::ReadOptions options;
  auto batch = protocol::RecordBatch::read(bytes, options);
  if (!batch || batch->records().empty()) return;
  const auto key = protocol::parse_control_record_key(batch->records().front().key);
  if (!key || key->type > static_cast<std::int16_t>(protocol::ControlRecordType::commit)) return;
  InternalRecord marker;
  marker.producer_id = header.producer_id;
  marker.marker_commit = key->type == static_cast<std::int16_t>(protocol::ControlRecordType::commit);
  out.push_back(std::move(marker));
}

}  // namespace

asio::awaitable<ErrorCode> append_internal_records(Broker& broker, std::string_view topic_name,
                                                   std::int32_t partition,
                                                   std::vector<InternalRecord> records,
                                                   bool durable_before_return,
                                                   std::optional<InternalProducer> producer) {
  const auto image = broker.image_ptr();
  const auto topic = image->topic(topic_name);
  if (!topic || partition < 0 || partition >= topic->partition_count())
    co_return ErrorCode::not_coordinator;
  Partition* target = broker.local().partitions->find({topic->id, partition});
  if (target == nullptr) co_return ErrorCode::not_coordinator;
  const std::int64_t now_ms = wall_clock_ms();
  protocol::RecordBatchBuilder builder;
  for (const auto& r : records) {
    protocol::NullableBytes value;
    if (r.value) value = protocol::BytesView(*r.value);
    builder.add(now_ms, protocol::BytesView(r.key), value);
  }
  if (producer) builder.set_producer(producer->producer_id, producer->producer_epoch, -1).set_transactional(true);
  auto built = builder.build();
  if (!built) co_return ErrorCode::coordinator_not_available;
  auto bytes = std::move(built.value());
  const auto leader_epoch = topic->partitions[static_cast<std::size_t>(partition)].leader_epoch;
  auto appended = target->log().append(bytes, leader_epoch, now_ms, log::AppendOrigin::coordinator);
  if (!appended && appended.error() == log::LogError::invalid_producer_epoch) {
    co_return ErrorCode::invalid_producer_epoch;
  }
  if (!appended) {
    spdlog::warn("{}-{}: append failed: {}", topic_name, partition,
                 log::to_string(appended.error()));
    co_return appended.error() == log::LogError::message_too_large
        ? ErrorCode::message_too_large
        : ErrorCode::coordinator_not_available;
  }
  target->waiters().notify_all();
  // acks.all.fsync=false is Kafka's model for the coordinators' state too:
  // acknowledged from the page cache, like acks=all data.
  if (!durable_before_return || !broker.config().acks_all_fsync) co_return ErrorCode::none;
  std::vector<std::shared_ptr<log::PartitionLog>> logs{target->log_ptr()};
  const auto durable = co_await wait_durable(std::move(logs));
  if (durable.empty() || !durable.front()) co_return ErrorCode::coordinator_not_available;
  co_return ErrorCode::none;
}

Result<std::vector<InternalRecord>, std::string> read_internal_records(log::PartitionLog& log,
                                                                       bool with_markers) {
  std::vector<InternalRecord> out;
  std::int64_t offset = log.log_start_offset();
  const std::int64_t end = log.log_end_offset();
  std::vector<std::uint8_t> buffer;
  while (offset < end) {
    auto read = log.read(offset, kReadChunk, true);
    if (!read) return Unexpected{std::string(log::to_string(read.error()))};
    const auto& records = read.value().records;
    if (records.size() == 0) break;
    if (!copy_records(records, buffer)) return Unexpected{std::string("short read")};
    protocol::BatchSequence batches(buffer);
    const std::int64_t before = offset;
    while (true) {
      auto next = batches.next();
      if (!next || !next.value()) break;  // the end, or a batch cut short by the chunk size
      const auto& slice = *next.value();
      if (slice.header.next_offset() <= offset) continue;
      const auto& header = slice.header;
      if (header.is_control() && with_markers) {
        append_marker(slice.bytes, header, out);
      } else if (!header.is_control()) {
        protocol::ReadOptions options;
        options.max_decompressed = kMaxDecompressed;
        options.allow_offset_gaps = true;  // compaction leaves gaps
        auto batch = protocol::RecordBatch::read(slice.bytes, options);
        if (!batch)
          return Unexpected{"corrupt batch at offset " + std::to_string(slice.header.base_offset)};
        for (const auto& record : batch.value().records()) {
          if (batch.value().offset_of(record) < offset || !record.key) continue;
          InternalRecord loaded;
          loaded.key.assign(record.key->begin(), record.key->end());
          if (record.value) loaded.value.emplace(record.value->begin(), record.value->end());
          if (header.is_transactional()) loaded.producer_id = header.producer_id;
          out.push_back(std::move(loaded));
        }
      }
      offset = slice.header.next_offset();
    }
    if (offset == before) break;  // nothing more is readable
  }
  return out;
}

}  // namespace conveyor::broker
