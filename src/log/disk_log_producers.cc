// DiskLog's producer state: loading it on open (newest valid snapshot, then
// the batch headers after it), snapshots when a segment rolls and when the
// log closes, and expiry. See producer_state.h and producer_snapshot.h.

#include <spdlog/spdlog.h>

#include <algorithm>

#include "conveyor/log/disk_log.h"
#include "conveyor/log/log_files.h"
#include "conveyor/log/producer_snapshot.h"

namespace conveyor::log {

namespace {

std::vector<std::int64_t> snapshot_offsets(const std::filesystem::path& dir) {
  std::vector<std::int64_t> offsets;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (const auto offset = files::parse_base_offset(entry.path().filename().string(), files::kSnapshotSuffix)) {
      offsets.push_back(*offset);
    }
  }
  std::sort(offsets.begin(), offsets.end());
  return offsets;
}

}  // namespace

Result<void, LogError> DiskLog::load_producer_state() {
  producers_.clear();
  aborted_.clear();
  const std::int64_t end = log_end_offset();
  std::int64_t from = segments_.front().base_offset();
  std::error_code ec;
  auto offsets = snapshot_offsets(dir_);
  for (auto it = offsets.rbegin(); it != offsets.rend(); ++it) {
    const auto path = files::snapshot_path(dir_, *it);
    if (*it > end) {
      // Written before a crash that lost the batches it describes.
      std::filesystem::remove(path, ec);
      continue;
    }
    auto table = read_producer_snapshot(path);
    if (!table) {
      spdlog::warn("log {}: producer snapshot {} is unreadable; ignoring it", dir_.string(), path.string());
      std::filesystem::remove(path, ec);
      continue;
    }
    producers_ = std::move(*table);
    from = std::max(from, *it);
    recovery_.producer_snapshot_offset = *it;
    break;
  }

  if (auto r = load_aborted_transactions(from); !r) return r;
  for (std::size_t i = segments_.index_of(from); i < segments_.size(); ++i) {
    const Segment& segment = segments_.at(i);
    const auto first = segment.locate(from);
    if (!first) return Unexpected{first.error()};
    if (!first->has_value()) continue;
    std::uint64_t position = (*first)->position;
    while (const auto header = segment.header_at(position)) {
      if (header->is_control()) {
        if (auto r = replay_marker(segment, position, *header); !r) return r;
      } else {
        producers_.replay(*header, header->base_offset);
      }
      ++recovery_.producer_batches_replayed;
      position += header->size_in_bytes();
    }
  }
  return {};
}

void DiskLog::snapshot_producers(bool sync) {
  if (auto written = write_producer_snapshot(dir_, log_end_offset(), producers_, sync); !written) {
    // Not fatal: the next open replays more of the log instead.
    spdlog::warn("log {}: cannot write the producer snapshot at {}", dir_.string(), log_end_offset());
  }
}

void DiskLog::delete_snapshots_below(std::int64_t offset) {
  std::error_code ec;
  for (const std::int64_t snapshot : snapshot_offsets(dir_)) {
    if (snapshot < offset) std::filesystem::remove(files::snapshot_path(dir_, snapshot), ec);
  }
}

std::size_t DiskLog::expire_producers(std::int64_t now_ms, std::int64_t expiration_ms) {
  return producers_.expire(now_ms, expiration_ms);
}

}  // namespace conveyor::log
