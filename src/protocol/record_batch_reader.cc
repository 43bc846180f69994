// Reading records: RecordReader (one record at a time), RecordBatch (a whole
// batch, decompressed and checked), BatchSequence (batches of a buffer).

#include <algorithm>
#include <cassert>

#include "conveyor/protocol/record_batch.h"
#include "conveyor/protocol/varint.h"

namespace conveyor::protocol {
namespace {

// Zigzag varint (int32) from [*pos, end); false if truncated or too long.
bool read_varint(const std::uint8_t** pos, const std::uint8_t* end, std::int32_t* out) {
  std::uint64_t raw = 0;
  if (varint::read_unsigned(pos, end, varint::kMaxVarintBytes, &raw) != varint::DecodeStatus::ok) {
    return false;
  }
  *out = varint::zigzag_decode(static_cast<std::uint32_t>(raw));
  return true;
}

bool read_varlong(const std::uint8_t** pos, const std::uint8_t* end, std::int64_t* out) {
  std::uint64_t raw = 0;
  if (varint::read_unsigned(pos, end, varint::kMaxVarlongBytes, &raw) != varint::DecodeStatus::ok) {
    return false;
  }
  *out = varint::zigzag_decode(raw);
  return true;
}

// A length-prefixed byte string; -1 is null (when allowed), other negatives
// and lengths beyond `end` fail.
bool read_sized(const std::uint8_t** pos, const std::uint8_t* end, bool nullable, NullableBytes* out) {
  std::int32_t length = 0;
  if (!read_varint(pos, end, &length)) return false;
  if (length == -1 && nullable) {
    *out = std::nullopt;
    return true;
  }
  if (length < 0 || static_cast<std::size_t>(length) > static_cast<std::size_t>(end - *pos)) return false;
  *out = BytesView(*pos, static_cast<std::size_t>(length));
  *pos += length;
  return true;
}

std::int64_t wrapping_add(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}

}  // namespace

// --- RecordHeaders ------------------------------------------------------------

RecordHeader RecordHeaders::iterator::operator*() const {
  // The bytes were checked by RecordReader; decoding cannot fail here.
  const std::uint8_t* p = pos_;
  NullableBytes key;
  NullableBytes value;
  [[maybe_unused]] const bool ok = read_sized(&p, end_, false, &key) && read_sized(&p, end_, true, &value);
  assert(ok);
  return {std::string_view(reinterpret_cast<const char*>(key->data()), key->size()), value};
}

RecordHeaders::iterator& RecordHeaders::iterator::operator++() {
  NullableBytes skipped;
  [[maybe_unused]] const bool ok =
      read_sized(&pos_, end_, false, &skipped) && read_sized(&pos_, end_, true, &skipped);
  assert(ok);
  if (--left_ == 0) pos_ = end_ = nullptr;
  return *this;
}

// --- RecordReader -------------------------------------------------------------

Result<bool, BatchError> RecordReader::next(Record& record) {
  if (left_ == 0) {
    if (pos_ != end_) return Unexpected{BatchError::bad_record_count};  // bytes after the last record
    return false;
  }
  if (pos_ == end_) return Unexpected{BatchError::bad_record_count};  // fewer records than declared
  const std::uint8_t* const start = pos_;
  const std::uint8_t* p = pos_;
  std::int32_t length = 0;
  if (!read_varint(&p, end_, &length)) return Unexpected{BatchError::bad_records};
  if (length < static_cast<std::int32_t>(kMinRecordSize - 1) ||
      static_cast<std::size_t>(length) > static_cast<std::size_t>(end_ - p)) {
    return Unexpected{BatchError::bad_records};
  }
  const std::uint8_t* const end = p + length;

  record.attributes = static_cast<std::int8_t>(*p++);
  if (!read_varlong(&p, end, &record.timestamp_delta) || !read_varint(&p, end, &record.offset_delta) ||
      !read_sized(&p, end, true, &record.key) || !read_sized(&p, end, true, &record.value)) {
    return Unexpected{BatchError::bad_records};
  }
  std::int32_t header_count = 0;
  if (!read_varint(&p, end, &header_count) || header_count < 0 ||
      static_cast<std::size_t>(header_count) * 2 > static_cast<std::size_t>(end - p)) {
    return Unexpected{BatchError::bad_records};
  }
  const std::uint8_t* const headers_start = p;
  for (std::int32_t i = 0; i < header_count; ++i) {
    NullableBytes skipped;
    if (!read_sized(&p, end, false, &skipped) || !read_sized(&p, end, true, &skipped)) {
      return Unexpected{BatchError::bad_records};
    }
  }
  // The fields must fill the declared length exactly.
  if (p != end) return Unexpected{BatchError::bad_records};
  record.headers = RecordHeaders(BytesView(headers_start, static_cast<std::size_t>(end - headers_start)),
                                 header_count);
  record.encoded = BytesView(start, static_cast<std::size_t>(end - start));
  pos_ = end;
  --left_;
  return true;
}

// --- RecordBatch --------------------------------------------------------------

Result<BytesView, BatchError> read_records_section(BytesView batch, const RecordBatchHeader& header,
                                              std::size_t max_decompressed, std::vector<std::uint8_t>& owned) {
  const BytesView section = batch.subspan(kRecordBatchHeaderSize, header.size_in_bytes() - kRecordBatchHeaderSize);
  const CompressionType codec = header.compression();
  if (static_cast<std::uint8_t>(codec) > static_cast<std::uint8_t>(CompressionType::zstd)) {
    return Unexpected{BatchError::bad_compression};
  }
  // An empty batch (left by compaction) may keep its codec and no payload.
  if (codec == CompressionType::none || (section.empty() && header.record_count == 0)) return section;
  owned.clear();
  auto result = decompress_append(codec, section, owned, max_decompressed);
  if (!result) {
    return Unexpected{result.error() == CompressionError::too_large ? BatchError::too_large
                                                                    : BatchError::bad_compression};
  }
  return BytesView(owned);
}

Result<RecordBatch, BatchError> RecordBatch::read(BytesView batch, const ReadOptions& options) {
  auto header = read_batch_header(batch);
  if (!header) return Unexpected{header.error()};
  if (batch.size() < header->size_in_bytes()) return Unexpected{BatchError::truncated};
  if (batch.size() > header->size_in_bytes()) return Unexpected{BatchError::bad_length};
  if (options.verify_crc && !batch_crc_matches(batch)) return Unexpected{BatchError::bad_crc};
  if (!options.allow_offset_gaps && header->record_count != header->last_offset_delta + 1) {
    return Unexpected{BatchError::bad_offset_delta};
  }

  RecordBatch result;
  result.header_ = *header;
  auto section = read_records_section(batch, result.header_, options.max_decompressed, result.decompressed_);
  if (!section) return Unexpected{section.error()};
  result.section_ = *section;

  // Sized by a wire number only after checking the bytes could hold it.
  const auto count = static_cast<std::size_t>(header->record_count);
  if (count > result.section_.size() / kMinRecordSize) return Unexpected{BatchError::bad_record_count};
  result.records_.resize(count);

  RecordReader reader(result.section_, header->record_count);
  std::int32_t previous = -1;
  for (std::size_t i = 0; i < count; ++i) {
    Record& record = result.records_[i];
    auto more = reader.next(record);
    if (!more) return Unexpected{more.error()};
    if (!*more) return Unexpected{BatchError::bad_record_count};
    const bool in_order = options.allow_offset_gaps
                              ? record.offset_delta > previous && record.offset_delta <= header->last_offset_delta
                              : record.offset_delta == static_cast<std::int32_t>(i);
    if (!in_order) return Unexpected{BatchError::bad_offset_delta};
    previous = record.offset_delta;
  }
  Record past_end;
  auto more = reader.next(past_end);
  if (!more) return Unexpected{more.error()};
  return result;
}

std::int64_t RecordBatch::offset_of(const Record& record) const {
  return wrapping_add(header_.base_offset, record.offset_delta);
}

std::int64_t RecordBatch::timestamp_of(const Record& record) const {
  if (header_.timestamp_type() == TimestampType::log_append_time) return header_.max_timestamp;
  return wrapping_add(header_.base_timestamp, record.timestamp_delta);
}

// --- BatchSequence ------------------------------------------------------------

Result<std::optional<BatchSlice>, BatchError> BatchSequence::next() {
  if (rest_.empty()) return std::optional<BatchSlice>{};
  // Enough for the length and magic: a short tail is a partial batch.
  auto header = read_batch_header(rest_);
  if (!header) return Unexpected{header.error()};
  const std::size_t size = header->size_in_bytes();
  if (rest_.size() < size) return Unexpected{BatchError::truncated};
  BatchSlice slice{*header, rest_.first(size)};
  rest_ = rest_.subspan(size);
  position_ += size;
  return std::optional<BatchSlice>(slice);
}

}  // namespace conveyor::protocol
