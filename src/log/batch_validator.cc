#include "conveyor/log/batch_validator.h"

#include "conveyor/protocol/record_batch.h"

namespace conveyor::log {

namespace {

using protocol::BatchError;

// Not a switch: the protocol part adds BatchError values as its record
// checks grow; anything not named here is a corrupt message.
LogError to_log_error(BatchError error) {
  if (error == BatchError::bad_magic) return LogError::unsupported_magic;
  if (error == BatchError::bad_record_count || error == BatchError::bad_records ||
      error == BatchError::bad_offset_delta || error == BatchError::bad_control_record ||
      error == BatchError::too_large) {
    return LogError::invalid_record;
  }
  return LogError::corrupt_message;
}

// Decompressing a batch to check its records stops here: far above any real
// batch (max.message.bytes is 1 MiB compressed), it only turns a decompression
// bomb into INVALID_RECORD instead of an unbounded allocation.
constexpr std::size_t kMaxDecompressedBatch = 256u << 20;

bool within(std::int64_t timestamp, std::int64_t now_ms, std::int64_t max_difference) {
  if (max_difference == INT64_MAX) return true;
  const auto t = static_cast<std::uint64_t>(timestamp), n = static_cast<std::uint64_t>(now_ms);
  const std::uint64_t difference = timestamp > now_ms ? t - n : n - t;
  return difference <= static_cast<std::uint64_t>(max_difference);
}

}  // namespace

Result<std::vector<ValidatedBatch>, LogError> validate_batches(std::span<const std::uint8_t> batches,
                                                               const LogConfig& config, std::int64_t now_ms) {
  std::vector<ValidatedBatch> out;
  std::size_t pos = 0;
  while (pos < batches.size()) {
    const auto rest = batches.subspan(pos);
    if (rest.size() > protocol::batch_offsets::kMagic &&
        static_cast<std::int8_t>(rest[protocol::batch_offsets::kMagic]) != protocol::kMagicV2) {
      return Unexpected{LogError::unsupported_magic};
    }
    const auto header = protocol::read_batch_header(rest);
    if (!header) return Unexpected{to_log_error(header.error())};
    const protocol::RecordBatchHeader& h = *header;
    const std::size_t size = h.size_in_bytes();
    if (size > rest.size()) return Unexpected{LogError::corrupt_message};
    if (size > static_cast<std::size_t>(std::max(config.max_message_bytes, 0))) {
      return Unexpected{LogError::message_too_large};
    }
    if (h.record_count <= 0 || static_cast<std::int64_t>(h.record_count) != h.last_offset_delta + std::int64_t{1} ||
        h.is_control()) {
      return Unexpected{LogError::invalid_record};
    }
    if (static_cast<std::uint8_t>(h.compression()) > static_cast<std::uint8_t>(protocol::CompressionType::zstd)) {
      return Unexpected{LogError::corrupt_message};
    }
    // CRC, then every record: lengths, varints, count and offset deltas
    // (decompressing when compressed), as Kafka's LogValidator does — a
    // batch that consumers could not parse never reaches the log.
    const auto valid = protocol::validate_batch(rest.first(size), kMaxDecompressedBatch);
    if (!valid) return Unexpected{to_log_error(valid.error())};
    // Kafka: "Compacted topic cannot accept message without key".
    if (config.cleanup_compact && valid->has_null_key) return Unexpected{LogError::invalid_record};
    if (config.timestamp_type == protocol::TimestampType::create_time &&
        (!within(h.base_timestamp, now_ms, config.timestamp_difference_max_ms) ||
         !within(h.max_timestamp, now_ms, config.timestamp_difference_max_ms))) {
      return Unexpected{LogError::invalid_timestamp};
    }
    out.push_back(ValidatedBatch{pos, h});
    pos += size;
  }
  if (out.empty()) return Unexpected{LogError::invalid_record};
  return out;
}

}  // namespace conveyor::log
