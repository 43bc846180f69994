#include "conveyor/log/producer_snapshot.h"

#include <unistd.h>

#include <cstdio>

#include "conveyor/log/file_io.h"
#include "conveyor/log/log_files.h"
#include "conveyor/protocol/crc32c.h"
#include "conveyor/protocol/wire_reader.h"
#include "conveyor/protocol/wire_writer.h"

namespace conveyor::log {

namespace {

constexpr std::int16_t kVersion = 1;
constexpr std::size_t kCrcEnd = 6;  // version (2) + CRC (4): the CRC covers what follows
constexpr std::size_t kEntrySize = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8;
// A bound before allocating: far above any real partition's producers.
constexpr std::size_t kMaxSnapshotBytes = 256u << 20;

void write_entry(protocol::Writer& out, std::int64_t producer_id, const ProducerEntry& entry,
                 const ProducerBatch* batch) {
  out.write_int64(producer_id);
  out.write_int16(entry.epoch);
  out.write_int32(batch != nullptr ? batch->last_sequence : -1);
  out.write_int64(batch != nullptr ? batch->last_offset : -1);
  out.write_int32(batch != nullptr ? static_cast<std::int32_t>(batch->last_offset - batch->first_offset) : 0);
  out.write_int64(batch != nullptr ? batch->max_timestamp : entry.last_timestamp);
  out.write_int32(entry.coordinator_epoch);
  out.write_int64(entry.current_txn_first_offset);
}

std::vector<std::uint8_t> encode(const ProducerStateTable& table) {
  std::size_t count = 0;
  for (const auto& [id, entry] : table.entries()) count += std::max<std::size_t>(entry.batches.size(), 1);
  protocol::Writer out(kCrcEnd + 4 + count * kEntrySize);
  out.write_int16(kVersion);
  out.write_uint32(0);  // CRC, filled in below
  out.write_int32(static_cast<std::int32_t>(count));
  for (const auto& [id, entry] : table.entries()) {
    if (entry.batches.empty()) write_entry(out, id, entry, nullptr);
    for (const auto& batch : entry.batches) write_entry(out, id, entry, &batch);
  }
  auto bytes = out.flatten();
  const std::uint32_t crc = protocol::crc32c::compute(std::span(bytes).subspan(kCrcEnd));
  for (int i = 0; i < 4; ++i) bytes[2 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(crc >> (24 - 8 * i));
  return bytes;
}

std::optional<std::vector<std::uint8_t>> read_file(const std::filesystem::path& file) {
  std::FILE* in = std::fopen(file.c_str(), "rb");
  if (in == nullptr) return std::nullopt;
  std::vector<std::uint8_t> bytes;
  std::uint8_t chunk[8192];
  std::size_t n = 0;
  while ((n = std::fread(chunk, 1, sizeof(chunk), in)) > 0 && bytes.size() <= kMaxSnapshotBytes) {
    bytes.insert(bytes.end(), chunk, chunk + n);
  }
  const bool failed = std::ferror(in) != 0 || bytes.size() > kMaxSnapshotBytes;
  std::fclose(in);
  if (failed) return std::nullopt;
  return bytes;
}

// The first sequence of a batch of `offset_delta` + 1 records ending at
// `last_sequence` (sequences wrap to 0 after INT32_MAX).
std::int32_t first_sequence(std::int32_t last_sequence, std::int32_t offset_delta) {
  constexpr std::int64_t kWrap = std::int64_t{INT32_MAX} + 1;
  return static_cast<std::int32_t>(((std::int64_t{last_sequence} - offset_delta) % kWrap + kWrap) % kWrap);
}

}  // namespace

Result<void, LogError> write_producer_snapshot(const std::filesystem::path& dir, std::int64_t offset,
                                               const ProducerStateTable& table, bool sync) {
  const auto bytes = encode(table);
  const auto path = files::snapshot_path(dir, offset);
  auto temp = path;
  temp += files::kTempSuffix;
  const int fd = io::open_rw(temp, true);
  if (fd < 0) return Unexpected{LogError::storage_error};
  const bool written = ::ftruncate(fd, 0) == 0 && io::pwrite_full(fd, bytes, 0) && (!sync || io::sync(fd));
  ::close(fd);
  if (!written || std::rename(temp.c_str(), path.c_str()) != 0) return Unexpected{LogError::storage_error};
  if (sync && !io::sync_dir(dir)) return Unexpected{LogError::storage_error};
  return {};
}

std::optional<ProducerStateTable> read_producer_snapshot(const std::filesystem::path& file) {
  const auto bytes = read_file(file);
  if (!bytes || bytes->size() < kCrcEnd + 4) return std::nullopt;
  protocol::Reader in(*bytes);
  const std::int16_t version = in.read_int16();
  const std::uint32_t crc = static_cast<std::uint32_t>(in.read_int32());
  if (version != kVersion || crc != protocol::crc32c::compute(std::span(*bytes).subspan(kCrcEnd))) {
    return std::nullopt;
  }
  const std::int32_t count = in.read_int32();
  if (count < 0 || in.remaining() != static_cast<std::size_t>(count) * kEntrySize) return std::nullopt;
  ProducerStateTable table;
  std::unordered_map<std::int64_t, ProducerEntry> entries;
  for (std::int32_t i = 0; i < count; ++i) {
    const std::int64_t producer_id = in.read_int64();
    ProducerEntry& entry = entries[producer_id];
    entry.epoch = in.read_int16();
    const std::int32_t last_sequence = in.read_int32();
    const std::int64_t last_offset = in.read_int64();
    const std::int32_t offset_delta = in.read_int32();
    entry.last_timestamp = in.read_int64();
    entry.coordinator_epoch = in.read_int32();
    entry.current_txn_first_offset = in.read_int64();
    if (producer_id < 0) return std::nullopt;
    if (last_sequence < 0 || last_offset < 0) continue;  // a producer with no batch kept
    if (offset_delta < 0 || last_offset < offset_delta) return std::nullopt;
    if (entry.batches.size() == ProducerStateTable::kBatchesKept) entry.batches.erase(entry.batches.begin());
    entry.batches.push_back(ProducerBatch{first_sequence(last_sequence, offset_delta), last_sequence,
                                          last_offset - offset_delta, last_offset, entry.last_timestamp});
  }
  if (!in.ok()) return std::nullopt;
  for (auto& [id, entry] : entries) table.restore(id, std::move(entry));
  return table;
}

}  // namespace conveyor::log
