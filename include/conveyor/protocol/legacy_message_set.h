#pragma once
// Legacy message sets (magic 0 and 1), as Produce v0-v2 carries them and
// Fetch v0-v3 expects them, and their conversion to and from record batch v2
// (the only format the log stores). Kafka 4.0 dropped both (KIP-896); Kafka
// 3.x converted them on the broker, and so do we (issue 4, "Version floor").
//
// A message set is a sequence of entries, nothing before or between them.
// One entry (big-endian):
//
//   offset        int64   broker-assigned; see "Offsets" below
//   message_size  int32   bytes after this field
//   crc           uint32  CRC-32 (IEEE, zlib's crc32) of [magic, end)
//   magic         int8    0 or 1
//   attributes    int8    bits 0-2 codec (0 none, 1 gzip, 2 snappy, 3 lz4),
//                         bit 3 (magic 1 only) timestamp type: LogAppendTime
//   timestamp     int64   magic 1 only; -1 for none
//   key           int32 length (-1 null), then the bytes
//   value         int32 length (-1 null), then the bytes
//
// Smallest message: 14 bytes after message_size for magic 0, 22 for magic 1.
//
// Compression: a "wrapper" message whose attributes name a codec holds, as
// its value, a whole compressed message set of the same magic whose
// messages are uncompressed (Kafka rejects nested wrappers, and so do we).
// gzip is a gzip stream, snappy is snappy-java's xerial framing, lz4 is an
// LZ4 frame. zstd does not exist below magic 2.
//
// Offsets: in magic 1 the inner offsets are relative (0..n-1) and the
// wrapper's offset is the absolute offset of the last inner message; in
// magic 0 inner offsets are absolute. Brokers reassign every offset on
// append, so up-conversion ignores them all.
//
// KAFKA-3160: Kafka clients before 0.10 wrote the LZ4 frame header checksum
// (the HC byte) over the 4 frame magic bytes too. Kafka reads magic-0 LZ4
// ignoring the HC and writes magic-0 LZ4 with the broken HC (for those old
// clients); magic-1 LZ4 has a correct HC. We do the same.
//
// Free functions without state or I/O: safe from any thread. Input is
// untrusted: every length is checked against the bytes that remain before it
// is used, decompression is bounded by the caller's max_decompressed, and
// bad input is a BatchError value, never a crash.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "conveyor/base/result.h"
#include "conveyor/protocol/record_batch.h"
#include "conveyor/protocol/record_batch_header.h"

namespace conveyor::protocol {

inline constexpr std::int8_t kMagicV0 = 0;
inline constexpr std::int8_t kMagicV1 = 1;

// The magic byte of the first entry of a records buffer (offset 16, the same
// place in a message set entry and in a v2 batch); nullopt when the buffer is
// shorter than that. Tells Produce which path a partition's records take.
[[nodiscard]] std::optional<std::int8_t> records_magic(std::span<const std::uint8_t> records);

// Produce v0-v2: converts a magic 0/1 message set into one record batch v2,
// the bytes the log's append path then validates and appends.
//
// - Every CRC is checked (top-level and inner messages): bad_crc.
// - Records keep their keys, values and order; offset deltas are 0..n-1 and
//   base_offset 0 (the log assigns offsets).
// - Timestamps follow Kafka's LogValidator: a magic-1 message keeps its own
//   timestamp (an inner message of a LogAppendTime wrapper takes the
//   wrapper's, as Kafka's deep iterator gives it); a magic-0 message has
//   none and becomes -1 (NO_TIMESTAMP). The batch is CreateTime; for
//   message.timestamp.type=LogAppendTime the log stamps it afterwards with
//   set_log_append_time, as for any produced batch. `now_ms` is therefore
//   not used to invent timestamps (Kafka does not either); it is kept in the
//   signature for the log's clock and is currently unused.
// - Compression: the batch is compressed with the codec of the wrappers (the
//   last one's if they differ, as Kafka's LogValidator picks its source
//   codec), which is what Kafka does with compression.type=producer (the
//   default); uncompressed input gives an uncompressed batch. LZ4 output is
//   a correct LZ4 frame whatever the input's HC.
// - A message set may mix magic 0 and magic 1 entries; inner messages must
//   have their wrapper's magic (bad_magic) and no codec (bad_records); a
//   wrapper with a null value or no inner messages is bad_records.
// - max_decompressed bounds the decompressed bytes of all wrappers together
//   (too_large beyond it).
// - An empty message set converts to no bytes (an empty vector): nothing to
//   append, as Kafka's log does with an empty append.
//
// Errors: truncated (an entry cut short: Produce data never legally ends
// mid-message), bad_length (message_size below the minimum for its magic),
// bad_magic, bad_crc, bad_records (lengths that disagree with message_size,
// nested or empty wrappers), bad_compression (codec 4-7, or a payload that
// fails to decompress; Kafka answers UNSUPPORTED_COMPRESSION_TYPE for zstd
// and CORRUPT_MESSAGE otherwise), too_large.
[[nodiscard]] Result<std::vector<std::uint8_t>, BatchError> upconvert_message_set(
    std::span<const std::uint8_t> message_set, std::int64_t now_ms, std::size_t max_decompressed);

// Fetch v0-v3: converts stored v2 batches to a message set of `to_magic`
// (0 for Fetch v0-v1, 1 for Fetch v2-v3), as Kafka's RecordsUtil.downConvert
// does:
//
// - Control batches are dropped, and so are headers, producer ids and
//   sequences (legacy messages have none).
// - Records below `first_offset` are dropped (Kafka drops them only from
//   uncompressed batches, leaving old consumers to skip them inside
//   wrappers; dropping them everywhere is equally valid and sends less).
// - Each message carries its absolute offset. An uncompressed batch becomes
//   one message per record. A compressed batch keeps its codec (Kafka
//   down-converts with batch.compressionType()) and becomes one wrapper:
//   inner offsets relative to the first kept record in magic 1, absolute in
//   magic 0; the wrapper's offset is the last kept record's; its timestamp
//   the batch's LogAppendTime or the max of the kept records' timestamps.
//   Magic-0 LZ4 gets the KAFKA-3160 header checksum, as Kafka writes it.
//   zstd cannot be expressed below magic 2: bad_compression (Kafka answers
//   UNSUPPORTED_COMPRESSION_TYPE to Fetch below v10 on zstd data).
// - Timestamps (magic 1): each record's own, or the batch's max_timestamp
//   with the LogAppendTime attribute bit for LogAppendTime batches.
// - A partial batch at the end of `batches` is ignored (a fetch range may
//   end mid-batch), as is everything after it.
// - Batch CRCs are verified (bad_crc): a corrupt stored batch must not go
//   out with fresh legacy CRCs that hide the corruption.
// - max_decompressed bounds the decompressed bytes of all batches together;
//   when a later batch would pass it, conversion stops and what was
//   converted so far is returned (too_large only when the first batch alone
//   does not fit).
// - Nothing left (all control, or all below first_offset): an empty vector.
//
// Errors: bad_magic (a batch that is not v2), bad_length / bad_record_count
// / bad_records / bad_offset_delta (a malformed stored batch), bad_crc,
// bad_compression, too_large; and bad_magic for `to_magic` other than 0/1.
[[nodiscard]] Result<std::vector<std::uint8_t>, BatchError> downconvert_batches(
    std::span<const std::uint8_t> batches, std::int8_t to_magic, std::int64_t first_offset,
    std::size_t max_decompressed);

// --- Building blocks, shared by the two conversions and used by tests --------

namespace legacy {

// offset + message_size: the bytes not counted by message_size.
inline constexpr std::size_t kLogOverhead = 12;
// crc + magic + attributes (+ timestamp) + key length + value length.
inline constexpr std::size_t kRecordOverheadV0 = 14;
inline constexpr std::size_t kRecordOverheadV1 = 22;
// Offsets inside an entry.
inline constexpr std::size_t kCrcOffset = 12;
inline constexpr std::size_t kMagicOffset = 16;
inline constexpr std::size_t kAttributesOffset = 17;

inline constexpr std::int8_t kCodecMask = 0x07;
inline constexpr std::int8_t kTimestampTypeBit = 0x08;

// One entry of a message set, checked (CRC included). Views point into the
// bytes the MessageReader was given.
struct Message {
  std::int64_t offset = 0;
  std::int8_t magic = 0;
  std::int8_t attributes = 0;
  std::int64_t timestamp = -1;  // -1 for magic 0
  NullableBytes key;
  NullableBytes value;
  BytesView encoded;  // the whole entry, offset field included

  std::uint8_t codec() const { return static_cast<std::uint8_t>(attributes & kCodecMask); }
  bool log_append_time() const { return magic > 0 && (attributes & kTimestampTypeBit) != 0; }
};

// Reads the entries of a message set one by one.
class MessageReader {
 public:
  explicit MessageReader(BytesView message_set) : rest_(message_set) {}
  // The next entry into `message`: true, or false at the end of the bytes.
  [[nodiscard]] Result<bool, BatchError> next(Message& message);

 private:
  BytesView rest_;
};

// CRC-32 (IEEE) as legacy messages use it: zlib's crc32.
std::uint32_t crc32_ieee(BytesView data);

// Appends one message to `out`, CRC computed. Magic 0 ignores `timestamp`.
// too_large when the message would not fit message_size (an int32).
[[nodiscard]] Result<void, BatchError> append_message(std::vector<std::uint8_t>& out,
                                                      std::int8_t magic, std::int64_t offset,
                                                      std::int8_t attributes,
                                                      std::int64_t timestamp, NullableBytes key,
                                                      NullableBytes value);

// xxHash32 of `data` (seed 0), the checksum of LZ4 frame headers.
std::uint32_t xxh32(BytesView data);

enum class Lz4HeaderChecksum : std::uint8_t {
  correct,    // over the frame descriptor, as the LZ4 frame format says
  kafka_3160  // over the 4 frame magic bytes and the descriptor
};

// Rewrites the HC byte of the LZ4 frame at the start of `frame`. False (and
// nothing written) when `frame` does not start with a whole LZ4 frame header.
bool set_lz4_header_checksum(std::span<std::uint8_t> frame, Lz4HeaderChecksum kind);

}  // namespace legacy

}  // namespace conveyor::protocol
