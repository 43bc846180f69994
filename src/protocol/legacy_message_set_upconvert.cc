// Produce v0-v2: a magic 0/1 message set to one record batch v2. The rules
// (after Kafka's LogValidator and AbstractLegacyRecordBatch) are listed in
// legacy_message_set.h.

#include <vector>

#include "conveyor/protocol/compression.h"
#include "conveyor/protocol/legacy_message_set.h"

namespace conveyor::protocol {
namespace {

using legacy::Message;
using legacy::MessageReader;

constexpr std::uint8_t kMaxLegacyCodec = static_cast<std::uint8_t>(CompressionType::lz4);

class Upconverter {
 public:
  explicit Upconverter(std::size_t max_decompressed) : budget_(max_decompressed) {}

  Result<void, BatchError> add(const Message& message) {
    if (message.codec() == 0) {
      builder_.add(message.timestamp, message.key, message.value);
      ++count_;
      return {};
    }
    return add_wrapper(message);
  }

  Result<std::vector<std::uint8_t>, BatchError> build() {
    if (count_ == 0) return std::vector<std::uint8_t>{};
    builder_.set_compression(codec_);
    return builder_.build();
  }

 private:
  Result<void, BatchError> add_wrapper(const Message& wrapper) {
    if (wrapper.codec() > kMaxLegacyCodec) return Unexpected{BatchError::bad_compression};
    if (!wrapper.value) return Unexpected{BatchError::bad_records};
    const auto codec = static_cast<CompressionType>(wrapper.codec());

    BytesView payload = *wrapper.value;
    std::vector<std::uint8_t> patched;
    if (codec == CompressionType::lz4 && wrapper.magic == kMagicV0) {
      // KAFKA-3160: old clients wrote a wrong header checksum; Kafka ignores
      // it for magic 0. Make it the correct one so liblz4 accepts the frame.
      patched.assign(payload.begin(), payload.end());
      if (legacy::set_lz4_header_checksum(patched, legacy::Lz4HeaderChecksum::correct))
        payload = patched;
    }

    std::vector<std::uint8_t> inner;
    auto decompressed = decompress_append(codec, payload, inner, budget_);
    if (!decompressed) {
      return Unexpected{decompressed.error() == CompressionError::too_large
                            ? BatchError::too_large
                            : BatchError::bad_compression};
    }
    budget_ -= inner.size();

    MessageReader reader(inner);
    Message message;
    std::int32_t inner_count = 0;
    for (;;) {
      auto more = reader.next(message);
      if (!more) return Unexpected{more.error()};
      if (!*more) break;
      if (message.magic != wrapper.magic) return Unexpected{BatchError::bad_magic};
      if (message.codec() != 0) return Unexpected{BatchError::bad_records};  // nested wrapper
      const std::int64_t timestamp =
          wrapper.log_append_time() ? wrapper.timestamp : message.timestamp;
      // The builder copies keys and values, so `inner` may go after this.
      builder_.add(timestamp, message.key, message.value);
      ++inner_count;
    }
    if (inner_count == 0) return Unexpected{BatchError::bad_records};
    count_ += inner_count;
    codec_ = codec;
    return {};
  }

  RecordBatchBuilder builder_;
  CompressionType codec_ = CompressionType::none;
  std::size_t budget_;
  std::int64_t count_ = 0;
};

}  // namespace

Result<std::vector<std::uint8_t>, BatchError> upconvert_message_set(
    std::span<const std::uint8_t> message_set, std::int64_t /*now_ms*/,
    std::size_t max_decompressed) {
  Upconverter converter(max_decompressed);
  MessageReader reader(message_set);
  Message message;
  for (;;) {
    auto more = reader.next(message);
    if (!more) return Unexpected{more.error()};
    if (!*more) break;
    auto added = converter.add(message);
    if (!added) return Unexpected{added.error()};
  }
  return converter.build();
}

}  // namespace conveyor::protocol
