// Fetch v0-v3: stored v2 batches to a magic 0/1 message set, after Kafka's
// RecordsUtil.downConvert and MemoryRecordsBuilder's legacy writer. The rules
// are listed in legacy_message_set.h.

#include <algorithm>
#include <vector>

#include "conveyor/protocol/compression.h"
#include "conveyor/protocol/legacy_message_set.h"

namespace conveyor::protocol {
namespace {

struct Kept {
  const Record* record;
  std::int64_t offset;
  std::int64_t timestamp;
};

// Appends the kept records of one batch to `out`.
Result<void, BatchError> convert_batch(const RecordBatch& batch, std::span<const Kept> kept,
                                       std::int8_t magic, std::vector<std::uint8_t>& out) {
  const RecordBatchHeader& header = batch.header();
  const bool log_append_time =
      magic == kMagicV1 && header.timestamp_type() == TimestampType::log_append_time;
  const std::int8_t timestamp_bit = log_append_time ? legacy::kTimestampTypeBit : std::int8_t{0};
  const CompressionType codec = header.compression();

  if (codec == CompressionType::none) {
    for (const Kept& k : kept) {
      auto appended = legacy::append_message(out, magic, k.offset, timestamp_bit, k.timestamp,
                                             k.record->key, k.record->value);
      if (!appended) return appended;
    }
    return {};
  }

  // One wrapper per batch, as Kafka writes one builder per batch.
  std::vector<std::uint8_t> inner;
  const std::int64_t base = kept.front().offset;
  std::int64_t max_timestamp = -1;
  for (const Kept& k : kept) {
    const std::int64_t offset = magic == kMagicV1 ? k.offset - base : k.offset;
    auto appended = legacy::append_message(inner, magic, offset, timestamp_bit, k.timestamp,
                                           k.record->key, k.record->value);
    if (!appended) return appended;
    max_timestamp = std::max(max_timestamp, k.timestamp);
  }
  std::vector<std::uint8_t> compressed;
  if (!compress_append(codec, inner, compressed)) return Unexpected{BatchError::bad_compression};
  if (codec == CompressionType::lz4 && magic == kMagicV0) {
    // KAFKA-3160: Kafka writes magic-0 LZ4 with the header checksum old
    // clients expect (readers since 0.10 ignore it for magic 0).
    legacy::set_lz4_header_checksum(compressed, legacy::Lz4HeaderChecksum::kafka_3160);
  }
  const std::int64_t wrapper_timestamp = log_append_time ? header.max_timestamp : max_timestamp;
  const auto attributes = static_cast<std::int8_t>(static_cast<std::int8_t>(codec) | timestamp_bit);
  return legacy::append_message(out, magic, kept.back().offset, attributes, wrapper_timestamp,
                                std::nullopt, BytesView(compressed));
}

}  // namespace

Result<std::vector<std::uint8_t>, BatchError> downconvert_batches(
    std::span<const std::uint8_t> batches, std::int8_t to_magic, std::int64_t first_offset,
    std::size_t max_decompressed) {
  if (to_magic != kMagicV0 && to_magic != kMagicV1) return Unexpected{BatchError::bad_magic};
  std::vector<std::uint8_t> out;
  std::size_t budget = max_decompressed;
  bool converted_any = false;
  BatchSequence sequence(batches);
  std::vector<Kept> kept;
  for (;;) {
    auto next = sequence.next();
    if (!next) {
      if (next.error() == BatchError::truncated) break;  // a fetch range may end mid-batch
      return Unexpected{next.error()};
    }
    if (!*next) break;
    const BatchSlice& slice = **next;
    const RecordBatchHeader& header = slice.header;
    if (header.is_control()) continue;
    if (header.last_offset() < first_offset) continue;
    const CompressionType codec = header.compression();
    if (codec == CompressionType::zstd) return Unexpected{BatchError::bad_compression};

    ReadOptions options;
    options.max_decompressed = budget;
    options.verify_crc = true;
    options.allow_offset_gaps = true;  // compacted batches
    auto batch = RecordBatch::read(slice.bytes, options);
    if (!batch) {
      // Past the budget: stop here with what was converted, as a fetch
      // returns fewer batches rather than none.
      if (batch.error() == BatchError::too_large && converted_any) break;
      return Unexpected{batch.error()};
    }
    if (codec != CompressionType::none) budget -= std::min(budget, batch->records_section().size());

    kept.clear();
    for (const Record& record : batch->records()) {
      const std::int64_t offset = batch->offset_of(record);
      if (offset < first_offset) continue;
      kept.push_back({&record, offset, batch->timestamp_of(record)});
    }
    if (kept.empty()) continue;
    auto converted = convert_batch(*batch, kept, to_magic, out);
    if (!converted) return Unexpected{converted.error()};
    converted_any = true;
  }
  return out;
}

}  // namespace conveyor::protocol
