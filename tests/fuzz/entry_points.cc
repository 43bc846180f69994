#include "entry_points.h"

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "conveyor/protocol/api_registry.h"
#include "conveyor/protocol/compression.h"
#include "conveyor/protocol/message_support.h"
#include "conveyor/protocol/messages/request_header.h"
#include "conveyor/protocol/legacy_message_set.h"
#include "conveyor/protocol/record_batch.h"
#include "conveyor/protocol/record_batch_header.h"
#include "conveyor/protocol/wire_reader.h"
#include "conveyor/protocol/wire_writer.h"

namespace conveyor::fuzz {

using protocol::ProtocolError;
using protocol::Reader;
using protocol::Writer;

void check_invariant(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}

namespace {

// encode(m) succeeds with size() bytes, and decoding those bytes and encoding
// again gives the same bytes. (Bytes, not operator==: a float64 field may
// hold a NaN, which never equals itself.)
template <typename Message>
void check_reencodes(const Message& message, std::int16_t version) {
  Writer first;
  check_invariant(message.encode(first, version) == ProtocolError::none,
                  "a decoded message fails to encode at its version");
  check_invariant(message.size(version) == first.size(), "size() differs from the encoded length");
  const std::vector<std::uint8_t> bytes = first.flatten();
  Reader reader(bytes);
  Message again;
  check_invariant(again.decode(reader, version) == ProtocolError::none,
                  "an encoded message fails to decode");
  check_invariant(reader.at_end(), "decoding an encoded message leaves bytes");
  Writer second;
  check_invariant(again.encode(second, version) == ProtocolError::none,
                  "a re-decoded message fails to encode");
  check_invariant(second.flatten() == bytes, "encode(decode(encode(m))) differs from encode(m)");
}

}  // namespace

ProtocolError request_frame(std::span<const std::uint8_t> frame) {
  Reader peek(frame);
  const std::int16_t api_key = peek.read_int16();
  const std::int16_t api_version = peek.read_int16();
  if (!peek.ok()) return peek.error();

  const std::int16_t header_version = protocol::request_header_version(api_key, api_version);
  Reader reader(frame);
  protocol::RequestHeader header;
  if (const auto error = header.decode(reader, header_version); error != ProtocolError::none) {
    return error;
  }
  check_invariant(header.request_api_key == api_key && header.request_api_version == api_version,
                  "the header disagrees with the bytes it was read from");
  check_reencodes(header, header_version);

  ProtocolError error = ProtocolError::unsupported_version;
  protocol::visit_api(api_key, [&]<typename Request, typename Response>() {
    Request body;
    error = body.decode(reader, api_version);
    if (error == ProtocolError::none) check_reencodes(body, api_version);
  });
  return error;
}

void record_batch_header(std::span<const std::uint8_t> bytes) {
  const auto header = protocol::read_batch_header(bytes);
  // The CRC check reads the whole span whether or not the header is valid.
  (void)protocol::batch_crc_matches(bytes);
  if (!header) return;
  check_invariant(header->magic == protocol::kMagicV2, "a header with magic other than 2 read");
  check_invariant(header->size_in_bytes() >= protocol::kRecordBatchHeaderSize,
                  "a batch shorter than its header read");
  check_invariant(header->record_count >= 0 && header->last_offset_delta >= 0 &&
                      header->record_count <= std::int64_t{header->last_offset_delta} + 1,
                  "record_count disagrees with last_offset_delta");
  // (Not last_offset(): base_offset is the client's until the broker assigns
  // it, and base_offset + last_offset_delta may overflow before that.)

  // The broker's in-place edits, on a copy of the batch the header describes.
  if (header->size_in_bytes() > bytes.size()) return;
  std::vector<std::uint8_t> batch(
      bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(header->size_in_bytes()));
  const bool batch_crc_ok = protocol::batch_crc_matches(batch);
  protocol::set_base_offset(batch, 42);
  protocol::set_partition_leader_epoch(batch, 7);
  check_invariant(protocol::batch_crc_matches(batch) == batch_crc_ok,
                  "base_offset or partition_leader_epoch is covered by the CRC");
  protocol::update_crc(batch);
  check_invariant(protocol::batch_crc_matches(batch), "update_crc leaves a bad CRC");
  protocol::set_log_append_time(batch, 1'700'000'000'000);
  check_invariant(protocol::batch_crc_matches(batch), "set_log_append_time leaves a bad CRC");
  const auto edited = protocol::read_batch_header(batch);
  check_invariant(edited.ok(), "an edited header no longer reads");
  check_invariant(edited->base_offset == 42 && edited->partition_leader_epoch == 7 &&
                      edited->max_timestamp == 1'700'000'000'000 &&
                      edited->timestamp_type() == protocol::TimestampType::log_append_time,
                  "an in-place edit did not stick");

  // The payload after the header, through the codec its attributes name,
  // bounded as the broker bounds it.
  const auto payload =
      std::span<const std::uint8_t>(batch).subspan(protocol::kRecordBatchHeaderSize);
  if (header->compression() != protocol::CompressionType::none) {
    constexpr std::size_t kMaxOutput = 1 << 20;
    const auto out = protocol::decompress(header->compression(), payload, kMaxOutput);
    if (out) check_invariant(out->size() <= kMaxOutput, "decompress exceeded max_output");
  }
}

void record_batch(std::span<const std::uint8_t> bytes) {
  constexpr std::size_t kMaxOutput = 1 << 20;
  (void)protocol::validate_batch(bytes, kMaxOutput);
  (void)protocol::upconvert_message_set(bytes, 0, kMaxOutput);
  (void)protocol::downconvert_batches(bytes, protocol::kMagicV1, 0, kMaxOutput);

  protocol::ReadOptions options;
  options.max_decompressed = kMaxOutput;
  options.verify_crc = false;
  options.allow_offset_gaps = true;
  auto read = protocol::RecordBatch::read(bytes, options);
  if (!read) return;
  const auto& header = read->header();
  check_invariant(read->records().size() == static_cast<std::size_t>(header.record_count),
                  "a batch read with a record count other than its header's");

  protocol::RecordBatchBuilder builder;
  builder.set_base_offset(header.base_offset);
  for (const auto& record : read->records()) {
    protocol::RecordInput input;
    input.timestamp = read->timestamp_of(record);
    input.key = record.key;
    input.value = record.value;
    input.offset_delta = record.offset_delta;
    std::vector<protocol::RecordHeader> headers(record.headers.begin(), record.headers.end());
    input.headers = headers;
    builder.add(input);
  }
  if (header.record_count == 0) return;
  builder.set_last_offset_delta(header.last_offset_delta);
  auto rebuilt = builder.build();
  if (!rebuilt) return;  // e.g. deltas the builder refuses; nothing to compare
  auto again = protocol::RecordBatch::read(*rebuilt, options);
  check_invariant(again.ok(), "a rebuilt batch does not read back");
  check_invariant(again->records().size() == read->records().size(), "a rebuilt batch lost records");
  for (std::size_t i = 0; i < read->records().size(); ++i) {
    const auto& a = read->records()[i];
    const auto& b = again->records()[i];
    const auto same = [](const protocol::NullableBytes& x, const protocol::NullableBytes& y) {
      if (x.has_value() != y.has_value()) return false;
      return !x || std::equal(x->begin(), x->end(), y->begin(), y->end());
    };
    check_invariant(same(a.key, b.key) && same(a.value, b.value) && a.offset_delta == b.offset_delta,
                    "a rebuilt record differs");
  }
}

namespace {

enum class Step : std::uint8_t {
  uvarint,
  varint,
  varlong,
  string,
  compact_string,
  nullable_string,
  compact_nullable_string,
  bytes,
  compact_bytes,
  records,
  compact_records,
  array_length,
  compact_array_length,
  tagged_fields,
  uuid,
  float64,
  count
};

}  // namespace

void wire_primitives(std::span<const std::uint8_t> bytes) {
  Reader reader(bytes);
  while (reader.ok() && !reader.at_end()) {
    const auto selector = static_cast<std::uint8_t>(reader.read_int8());
    const auto step = static_cast<Step>(selector % static_cast<std::uint8_t>(Step::count));
    const std::size_t before = reader.remaining();
    Writer writer;
    switch (step) {
      case Step::uvarint: {
        const std::uint32_t v = reader.read_uvarint();
        if (!reader.ok()) break;
        writer.write_uvarint(v);
        Reader back(writer.buffer());
        check_invariant(back.read_uvarint() == v && back.at_end(), "uvarint does not round trip");
        check_invariant(protocol::varint::size_unsigned(v) == writer.size(),
                        "uvarint size differs");
        break;
      }
      case Step::varint: {
        const std::int32_t v = reader.read_varint();
        if (!reader.ok()) break;
        writer.write_varint(v);
        Reader back(writer.buffer());
        check_invariant(back.read_varint() == v && back.at_end(), "varint does not round trip");
        break;
      }
      case Step::varlong: {
        const std::int64_t v = reader.read_varlong();
        if (!reader.ok()) break;
        writer.write_varlong(v);
        Reader back(writer.buffer());
        check_invariant(back.read_varlong() == v && back.at_end(), "varlong does not round trip");
        break;
      }
      case Step::string:
      case Step::compact_string: {
        const bool compact = step == Step::compact_string;
        const std::string v = reader.read_string(compact);
        if (!reader.ok()) break;
        check_invariant(protocol::is_valid_utf8(v), "a string with invalid UTF-8 read");
        writer.write_string(v, compact);
        check_invariant(writer.size() == protocol::wire_size::string(v, compact),
                        "string size differs");
        Reader back(writer.buffer());
        check_invariant(back.read_string(compact) == v && back.at_end(),
                        "string does not round trip");
        break;
      }
      case Step::nullable_string:
      case Step::compact_nullable_string: {
        const bool compact = step == Step::compact_nullable_string;
        const std::optional<std::string> v = reader.read_nullable_string(compact);
        if (!reader.ok()) break;
        writer.write_nullable_string(v, compact);
        check_invariant(writer.size() == protocol::wire_size::nullable_string(v, compact),
                        "nullable string size differs");
        Reader back(writer.buffer());
        check_invariant(back.read_nullable_string(compact) == v && back.at_end(),
                        "nullable string does not round trip");
        break;
      }
      case Step::bytes:
      case Step::compact_bytes: {
        const bool compact = step == Step::compact_bytes;
        const auto v = reader.read_nullable_bytes(compact);
        if (!reader.ok()) break;
        writer.write_nullable_bytes(v, compact);
        check_invariant(writer.size() == protocol::wire_size::nullable_bytes(v, compact),
                        "bytes size differs");
        Reader back(writer.buffer());
        check_invariant(back.read_nullable_bytes(compact) == v && back.at_end(),
                        "bytes do not round trip");
        break;
      }
      case Step::records:
      case Step::compact_records: {
        const bool compact = step == Step::compact_records;
        const protocol::Records v = reader.read_records(compact, /*nullable=*/true);
        if (!reader.ok()) break;
        check_invariant(v.size() <= before, "records larger than the input");
        writer.write_records(v, compact, /*nullable=*/true);
        check_invariant(writer.size() == protocol::wire_size::records(v, compact),
                        "records size differs");
        const auto flat = writer.flatten();
        Reader back(flat);
        check_invariant(back.read_records(compact, true) == v && back.at_end(),
                        "records do not round trip");
        break;
      }
      case Step::array_length:
      case Step::compact_array_length: {
        const bool compact = step == Step::compact_array_length;
        const std::int32_t n = reader.read_array_length(compact, 1);
        if (!reader.ok()) break;
        check_invariant(n >= -1, "an array length below -1 read");
        check_invariant(n < 0 || static_cast<std::size_t>(n) <= reader.remaining(),
                        "an array length larger than the bytes left read");
        break;
      }
      case Step::tagged_fields: {
        protocol::UnknownTaggedFields fields;
        protocol::read_unknown_tagged_fields(reader, fields);
        if (!reader.ok()) break;
        check_invariant(fields.size() * 2 <= before, "more tagged fields than bytes");
        break;
      }
      case Step::uuid:
        (void)reader.read_uuid();
        break;
      case Step::float64: {
        const double v = reader.read_float64();
        if (!reader.ok()) break;
        writer.write_float64(v);
        check_invariant(writer.size() == 8, "float64 size differs");
        break;
      }
      case Step::count:
        break;
    }
    check_invariant(reader.remaining() <= before, "a read moved backwards");
  }
}

}  // namespace conveyor::fuzz
