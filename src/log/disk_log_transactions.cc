// DiskLog's transaction support: markers, the last stable offset, and the
// aborted-transaction index (`<segment base>.txnindex`, Kafka's layout: one
// 34-byte big-endian entry per aborted transaction whose ABORT marker is in
// that segment — version int16 (0), producer id int64, first offset int64,
// last offset (the marker's) int64, last stable offset int64).
//
// The entries live in memory (aborted_) and in those files. A file is
// written when an ABORT is appended and fsync'd by the next group-commit
// round with the log (request_flush), so a marker acknowledged durable has
// its entry on disk too. Opening the log keeps the entries below the offset
// where the producer state replay starts and rebuilds the rest from the
// markers it replays.

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <array>

#include "conveyor/log/disk_log.h"
#include "conveyor/log/file_io.h"
#include "conveyor/log/log_files.h"
#include "conveyor/protocol/record_batch.h"
#include "conveyor/protocol/wire_reader.h"

namespace conveyor::log {

namespace {

constexpr std::size_t kTxnEntrySize = 34;
constexpr std::int16_t kTxnIndexVersion = 0;
// Control batches hold one small record; anything larger is not ours.
constexpr std::size_t kMaxControlBatchBytes = 4096;
constexpr std::int64_t kMaxTxnIndexBytes = 64 << 20;

std::array<std::uint8_t, kTxnEntrySize> encode(const AbortedTxn& aborted) {
  std::array<std::uint8_t, kTxnEntrySize> out{};
  std::size_t pos = 0;
  auto put = [&](std::uint64_t value, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out[pos++] = static_cast<std::uint8_t>(value >> (8 * i));
  };
  put(static_cast<std::uint16_t>(kTxnIndexVersion), 2);
  put(static_cast<std::uint64_t>(aborted.producer_id), 8);
  put(static_cast<std::uint64_t>(aborted.first_offset), 8);
  put(static_cast<std::uint64_t>(aborted.last_offset), 8);
  put(static_cast<std::uint64_t>(aborted.last_stable_offset), 8);
  return out;
}

// The entries of a .txnindex file, up to the first short or unknown one.
std::vector<AbortedTxn> read_txn_index(const std::filesystem::path& path) {
  std::vector<AbortedTxn> out;
  const int fd = io::open_rw(path, false);
  if (fd < 0) return out;
  // A bound before allocating (an index of a segment is far smaller: one
  // entry per aborted transaction).
  const std::int64_t size = std::min<std::int64_t>(io::file_size(fd), kMaxTxnIndexBytes);
  std::vector<std::uint8_t> bytes(size > 0 ? static_cast<std::size_t>(size) : 0);
  const bool read = io::pread_full(fd, bytes, 0) == size;
  ::close(fd);
  if (!read) return out;
  protocol::Reader in(bytes);
  while (in.remaining() >= kTxnEntrySize) {
    if (in.read_int16() != kTxnIndexVersion) break;
    AbortedTxn aborted;
    aborted.producer_id = in.read_int64();
    aborted.first_offset = in.read_int64();
    aborted.last_offset = in.read_int64();
    aborted.last_stable_offset = in.read_int64();
    out.push_back(aborted);
  }
  return out;
}

}  // namespace

Result<AppendResult, LogError> DiskLog::append_marker(const TxnMarker& marker, std::int32_t leader_epoch,
                                                      std::int64_t now_ms) {
  if (closed_ || offline()) return Unexpected{LogError::storage_error};
  if (marker.producer_id < 0 || marker.producer_epoch < 0) return Unexpected{LogError::invalid_record};
  if (const auto* entry = producers_.find(marker.producer_id); entry && marker.producer_epoch < entry->epoch) {
    return Unexpected{LogError::invalid_producer_epoch};
  }
  protocol::EndTxnMarkerBatch spec;
  spec.producer_id = marker.producer_id;
  spec.producer_epoch = marker.producer_epoch;
  spec.type = marker.commit ? protocol::ControlRecordType::commit : protocol::ControlRecordType::abort;
  spec.coordinator_epoch = marker.coordinator_epoch;
  spec.timestamp = now_ms;
  spec.partition_leader_epoch = leader_epoch;
  auto bytes = protocol::build_end_txn_marker_batch(spec);
  const std::int64_t offset = log_end_offset();
  if (auto r = maybe_roll(bytes.size(), 1, offset, now_ms, now_ms); !r) {
    offline_ = true;
    return Unexpected{r.error()};
  }
  protocol::set_base_offset(bytes, offset);
  const Segment::BatchMeta meta{offset, now_ms, static_cast<std::uint32_t>(bytes.size())};
  if (auto r = segments_.active().append(bytes, std::span(&meta, 1)); !r) {
    offline_ = true;
    return Unexpected{r.error()};
  }
  size_bytes_ += bytes.size();
  const auto began = producers_.end_transaction(marker.producer_id, marker.producer_epoch,
                                                marker.coordinator_epoch, now_ms);
  if (!marker.commit && began && began.value()) {
    const AbortedTxn aborted{marker.producer_id, *began.value(), offset, last_stable_offset()};
    if (auto r = record_aborted(aborted, segments_.active().base_offset()); !r) {
      offline_ = true;
      return Unexpected{r.error()};
    }
  }
  AppendResult result;
  result.base_offset = offset;
  result.last_offset = offset;
  result.log_start_offset = log_start_offset_;
  result.record_count = 1;
  return result;
}

std::int64_t DiskLog::last_stable_offset() const {
  const auto open = producers_.first_open_transaction();
  return open ? std::min(*open, high_watermark()) : high_watermark();
}

std::vector<AbortedTxn> DiskLog::aborted_transactions(std::int64_t from, std::int64_t upto) const {
  std::vector<AbortedTxn> out;
  auto it = std::lower_bound(aborted_.begin(), aborted_.end(), from,
                             [](const AbortedTxn& a, std::int64_t offset) { return a.last_offset < offset; });
  for (; it != aborted_.end(); ++it) {
    if (it->first_offset < upto) out.push_back(*it);
  }
  return out;
}

Result<void, LogError> DiskLog::record_aborted(const AbortedTxn& aborted, std::int64_t segment_base) {
  aborted_.push_back(aborted);
  const auto path = files::txn_index_path(dir_, segment_base);
  const int fd = io::open_rw(path, true);
  if (fd < 0) return Unexpected{LogError::storage_error};
  auto handle = std::make_shared<const FileHandle>(fd, path.string());
  const std::int64_t size = io::file_size(fd);
  const auto entry = encode(aborted);
  if (size < 0 || !io::pwrite_full(fd, entry, static_cast<std::uint64_t>(size))) {
    return Unexpected{LogError::storage_error};
  }
  unsynced_txn_indexes_.push_back(std::move(handle));
  dir_dirty_ = dir_dirty_ || size == 0;
  return {};
}

void DiskLog::forget_aborted_below(std::int64_t offset) {
  std::erase_if(aborted_, [offset](const AbortedTxn& a) { return a.last_offset < offset; });
}

Result<void, LogError> DiskLog::load_aborted_transactions(std::int64_t replay_from) {
  aborted_.clear();
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    const auto name = entry.path().filename().string();
    const auto base = files::parse_base_offset(name, files::kTxnIndexSuffix);
    if (!base) continue;
    const std::size_t i = segments_.index_of(*base);
    if (i == segments_.size() || segments_.at(i).base_offset() != *base) {
      std::filesystem::remove(entry.path(), ec);  // its segment is gone
    }
  }
  for (std::size_t i = 0; i < segments_.size(); ++i) {
    const auto path = files::txn_index_path(dir_, segments_.at(i).base_offset());
    if (!std::filesystem::exists(path, ec)) continue;
    auto entries = read_txn_index(path);
    // Entries at or after the replay start are rebuilt by the replay.
    std::erase_if(entries, [replay_from](const AbortedTxn& a) { return a.last_offset >= replay_from; });
    std::filesystem::resize_file(path, entries.size() * kTxnEntrySize, ec);
    if (ec) return Unexpected{LogError::storage_error};
    aborted_.insert(aborted_.end(), entries.begin(), entries.end());
  }
  return {};
}

Result<void, LogError> DiskLog::replay_marker(const Segment& segment, std::uint64_t position,
                                              const protocol::RecordBatchHeader& header) {
  if (!header.has_producer_id() || header.size_in_bytes() > kMaxControlBatchBytes) return {};
  std::vector<std::uint8_t> bytes(header.size_in_bytes());
  const auto& file = segment.file();
  if (!file || io::pread_full(file->fd(), bytes, position) != static_cast<std::int64_t>(bytes.size())) {
    return Unexpected{LogError::storage_error};
  }
  protocol::ReadOptions options;
  auto batch = protocol::RecordBatch::read(bytes, options);
  if (!batch || batch->records().empty()) return {};  // recovery already checked it; not a marker
  const auto& record = batch->records().front();
  const auto key = protocol::parse_control_record_key(record.key);
  const auto value = protocol::parse_end_txn_marker(record.value);
  if (!key || !value) return {};
  const auto type = static_cast<protocol::ControlRecordType>(key->type);
  if (type != protocol::ControlRecordType::abort && type != protocol::ControlRecordType::commit) return {};
  const auto began = producers_.end_transaction(header.producer_id, header.producer_epoch, value->coordinator_epoch,
                                                header.max_timestamp);
  if (type == protocol::ControlRecordType::abort && began && began.value()) {
    // The LSO as it was right after this marker, not at the end of the log.
    const std::int64_t stable =
        std::min(producers_.first_open_transaction().value_or(header.next_offset()), header.next_offset());
    const AbortedTxn aborted{header.producer_id, *began.value(), header.base_offset, stable};
    return record_aborted(aborted, segment.base_offset());
  }
  return {};
}

}  // namespace conveyor::log
