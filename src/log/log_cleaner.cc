#include "conveyor/log/log_cleaner.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <functional>

#include "conveyor/log/file_io.h"
#include "conveyor/log/log_files.h"
#include "conveyor/protocol/record_batch.h"

namespace conveyor::log::cleaner {

namespace {

using protocol::kRecordBatchHeaderSize;
using protocol::RecordBatchHeader;

// Segments are read in chunks of this size (larger batches are read whole).
constexpr std::size_t kChunk = 1 << 20;
// Cleaned batches are written in runs of about this size.
constexpr std::size_t kWriteBuffer = 1 << 20;
// Bound for a decompressed batch (a corrupt length must not become an allocation).
constexpr std::size_t kMaxDecompressedBatch = 256u << 20;

using BatchFn = std::function<Result<void, LogError>(const RecordBatchHeader&, std::span<const std::uint8_t>)>;

// Calls `fn` for every batch of the file `fd` in [0, size), in order.
Result<void, LogError> for_each_batch(int fd, std::uint64_t size, const BatchFn& fn) {
  std::vector<std::uint8_t> buf;
  std::uint64_t pos = 0;
  while (pos < size) {
    buf.resize(static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, size - pos)));
    if (io::pread_full(fd, buf, pos) != static_cast<std::int64_t>(buf.size())) {
      return Unexpected{LogError::storage_error};
    }
    std::size_t off = 0;
    while (off + kRecordBatchHeaderSize <= buf.size()) {
      const auto rest = std::span<const std::uint8_t>(buf).subspan(off);
      const auto h = protocol::read_batch_header(rest);
      if (!h) return Unexpected{LogError::corrupt_message};
      const std::size_t n = h->size_in_bytes();
      if (n > rest.size()) break;
      if (auto r = fn(*h, rest.first(n)); !r) return r;
      off += n;
    }
    if (off == 0) {
      // One batch larger than the chunk (or cut short by the file's end).
      std::array<std::uint8_t, kRecordBatchHeaderSize> head{};
      if (size - pos < head.size() || io::pread_full(fd, head, pos) != static_cast<std::int64_t>(head.size())) {
        return Unexpected{LogError::corrupt_message};
      }
      const auto h = protocol::read_batch_header(head);
      if (!h || h->size_in_bytes() > size - pos) return Unexpected{LogError::corrupt_message};
      buf.resize(h->size_in_bytes());
      if (io::pread_full(fd, buf, pos) != static_cast<std::int64_t>(buf.size())) {
        return Unexpected{LogError::storage_error};
      }
      if (auto r = fn(*h, buf); !r) return r;
      off = buf.size();
    }
    pos += off;
  }
  return {};
}

Result<void, LogError> for_each_batch(const SegmentView& segment, const BatchFn& fn) {
  return for_each_batch(segment.file->fd(), segment.size, fn);
}

protocol::ReadOptions read_options() {
  protocol::ReadOptions options;
  options.max_decompressed = kMaxDecompressedBatch;
  options.verify_crc = true;
  options.allow_offset_gaps = true;
  return options;
}

std::string key_string(const protocol::BytesView& key) {
  return std::string(reinterpret_cast<const char*>(key.data()), key.size());
}

bool elapsed_at_least(std::int64_t now, std::int64_t since, std::int64_t limit) {
  if (limit == INT64_MAX || now < since) return false;
  const std::uint64_t elapsed = static_cast<std::uint64_t>(now) - static_cast<std::uint64_t>(since);
  return elapsed >= static_cast<std::uint64_t>(std::max<std::int64_t>(limit, 0));
}

// The batch `batch` (header `h`, records `read`) with only the records `keep` marks.
Result<std::vector<std::uint8_t>, LogError> rebuild(const RecordBatchHeader& h, const protocol::RecordBatch& read,
                                                    const std::vector<bool>& keep) {
  protocol::RecordBatchBuilder builder;
  builder.set_base_offset(h.base_offset)
      .set_partition_leader_epoch(h.partition_leader_epoch)
      .set_compression(h.compression())
      .set_producer(h.producer_id, h.producer_epoch, h.base_sequence)
      .set_transactional(h.is_transactional())
      .set_last_offset_delta(h.last_offset_delta);
  if (h.timestamp_type() == protocol::TimestampType::log_append_time) builder.set_log_append_time(h.max_timestamp);
  std::vector<protocol::RecordHeader> headers;
  const auto records = read.records();
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (!keep[i]) continue;
    const protocol::Record& record = records[i];
    headers.assign(record.headers.begin(), record.headers.end());
    protocol::RecordInput input;
    // The stored create time (for LogAppendTime batches the header's max
    // timestamp is what readers use; the builder keeps it).
    input.timestamp = static_cast<std::int64_t>(static_cast<std::uint64_t>(h.base_timestamp) +
                                                static_cast<std::uint64_t>(record.timestamp_delta));
    input.key = record.key;
    input.value = record.value;
    input.headers = headers;
    input.offset_delta = record.offset_delta;
    builder.add(input);
  }
  auto built = builder.build();
  if (!built) return Unexpected{LogError::corrupt_message};
  return std::move(*built);
}

// Writes [pos, pos + bytes.size()) of `fd`, buffered.
class CleanedWriter {
 public:
  explicit CleanedWriter(int fd) : fd_(fd) { buffer_.reserve(kWriteBuffer); }
  bool write(std::span<const std::uint8_t> bytes) {
    if (buffer_.size() + bytes.size() > kWriteBuffer && !flush()) return false;
    if (bytes.size() >= kWriteBuffer) {
      if (!io::pwrite_full(fd_, bytes, position_)) return false;
      position_ += bytes.size();
      return true;
    }
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
    return true;
  }
  bool flush() {
    if (buffer_.empty()) return true;
    if (!io::pwrite_full(fd_, buffer_, position_)) return false;
    position_ += buffer_.size();
    buffer_.clear();
    return true;
  }
  std::uint64_t size() const { return position_ + buffer_.size(); }

 private:
  int fd_;
  std::vector<std::uint8_t> buffer_;
  std::uint64_t position_ = 0;
};

bool set_mtime(int fd, std::int64_t ms) {
  const std::int64_t sec = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  timespec times[2];
  times[0].tv_sec = static_cast<time_t>(sec);
  times[0].tv_nsec = static_cast<long>((ms - sec * 1000) * 1'000'000);
  times[1] = times[0];
  return ::futimens(fd, times) == 0;
}

// The offset after the last whole, CRC-valid batch of the file at `path`
// (`base` for an empty or unreadable file).
std::int64_t scan_next_offset(const std::filesystem::path& path, std::int64_t base) {
  const int fd = io::open_rw(path, false);
  if (fd < 0) return base;
  const FileHandle handle(fd, path.string());
  const std::int64_t size = io::file_size(fd);
  std::int64_t next = base;
  if (size <= 0) return next;
  [[maybe_unused]] const auto r =
      for_each_batch(fd, static_cast<std::uint64_t>(size), [&](const RecordBatchHeader& h, auto bytes) {
        if (!protocol::batch_crc_matches(bytes) || h.base_offset < next) {
          return Result<void, LogError>(Unexpected{LogError::corrupt_message});
        }
        next = h.next_offset();
        return Result<void, LogError>();
      });
  return next;
}

}  // namespace

AbortedBatches::AbortedBatches(const std::vector<AbortedRange>& ranges) {
  for (const auto& r : ranges) by_producer_[r.producer_id].emplace_back(r.first_offset, r.last_offset);
}

bool AbortedBatches::contains(const protocol::RecordBatchHeader& batch) const {
  if (!batch.is_transactional() || batch.is_control()) return false;
  const auto it = by_producer_.find(batch.producer_id);
  if (it == by_producer_.end()) return false;
  for (const auto& [first, last] : it->second) {
    if (batch.base_offset >= first && batch.base_offset <= last) return true;
  }
  return false;
}

SegmentView view_of(const Segment& segment) {
  return SegmentView{segment.id(), segment.file(), segment.size(), segment.base_offset(), segment.next_offset()};
}

Result<void, LogError> add_to_offset_map(const SegmentView& segment, std::int64_t from_offset,
                                         const AbortedBatches& aborted, BoundedOffsetMap& map) {
  const auto options = read_options();
  return for_each_batch(segment, [&](const RecordBatchHeader& h, std::span<const std::uint8_t> bytes) {
    if (map.full || h.last_offset() < from_offset || h.is_control() || aborted.contains(h)) {
      return Result<void, LogError>();
    }
    auto read = protocol::RecordBatch::read(bytes, options);
    if (!read) return Result<void, LogError>();  // kept as is by the cleaning, so none of its keys count
    // Whether the batch's new keys fit, checked before any is added, so that
    // a batch is mapped whole or not at all. The first batch always is.
    std::vector<std::pair<std::string, std::int64_t>> keyed;  // each key built once
    std::uint64_t new_bytes = 0;
    for (const auto& record : read->records()) {
      if (!record.key) continue;
      keyed.emplace_back(key_string(*record.key), read->offset_of(record));
      if (!map.map.contains(keyed.back().first)) new_bytes += keyed.back().first.size() + kMapEntryOverhead;
    }
    if (map.max_bytes != 0 && map.batches > 0 && map.bytes + new_bytes > map.max_bytes) {
      map.full = true;
      map.full_at = h.base_offset;
      return Result<void, LogError>();
    }
    for (auto& [key, offset] : keyed) {
      const std::size_t key_bytes = key.size();
      if (map.map.insert_or_assign(std::move(key), offset).second) map.bytes += key_bytes + kMapEntryOverhead;
    }
    ++map.batches;
    return Result<void, LogError>();
  });
}

Result<CleanedSegment, LogError> write_cleaned_segment(const std::filesystem::path& dir,
                                                       std::span<const SourceSegment> group, const OffsetMap& map,
                                                       const AbortedBatches& aborted, const CleanOptions& options,
                                                       CompactionStats& stats) {
  CleanedSegment out;
  out.base_offset = group.front().segment.base_offset;
  out.cleaned_at_ms = INT64_MIN;
  for (const auto& source : group) {
    out.cleaned_at_ms = std::max(out.cleaned_at_ms, source.already_cleaned ? source.cleaned_at_ms : options.now_ms);
  }
  const auto path = files::cleaned_log_path(dir, out.base_offset);
  const int fd = io::open_rw(path, true);
  if (fd < 0) return Unexpected{LogError::storage_error};
  FileHandle handle(fd, path.string());
  auto fail = [&](LogError error) -> Result<CleanedSegment, LogError> {
    handle = FileHandle();
    std::error_code ec;
    std::filesystem::remove(path, ec);
    return Unexpected{error};
  };
  if (::ftruncate(fd, 0) != 0) return fail(LogError::storage_error);

  CleanedWriter writer(fd);
  const auto read_opts = read_options();
  std::vector<bool> keep;
  for (const auto& source : group) {
    const bool tombstones_expire =
        source.already_cleaned && elapsed_at_least(options.now_ms, source.cleaned_at_ms, options.delete_retention_ms);
    ++stats.segments_read;
    stats.bytes_read += source.segment.size;
    auto copied = for_each_batch(source.segment, [&](const RecordBatchHeader& h, std::span<const std::uint8_t> bytes) {
      stats.records_read += h.record_count;
      if (h.base_offset >= options.keep_from) {
        // Past where the key map stopped: the next pass cleans it.
        if (!writer.write(bytes)) return Result<void, LogError>(Unexpected{LogError::storage_error});
        return Result<void, LogError>();
      }
      if (aborted.contains(h)) {
        stats.records_removed += h.record_count;
        return Result<void, LogError>();
      }
      auto read = h.is_control() ? Result<protocol::RecordBatch, protocol::BatchError>(
                                       Unexpected{protocol::BatchError::bad_records})
                                 : protocol::RecordBatch::read(bytes, read_opts);
      if (!read) {
        // Control batches, and (defensively) a batch that does not parse: as they are.
        if (!h.is_control()) {
          spdlog::warn("log {}: batch at offset {} does not parse; compaction keeps it as is", dir.string(),
                       h.base_offset);
        }
        if (!writer.write(bytes)) return Result<void, LogError>(Unexpected{LogError::storage_error});
        return Result<void, LogError>();
      }
      const auto records = read->records();
      keep.assign(records.size(), false);
      std::size_t kept = 0;
      for (std::size_t i = 0; i < records.size(); ++i) {
        const auto& record = records[i];
        if (!record.key) continue;
        const auto it = map.find(key_string(*record.key));
        if (it != map.end() && it->second > read->offset_of(record)) continue;
        if (!record.value) {
          if (tombstones_expire) {
            ++stats.tombstones_removed;
            continue;
          }
          out.has_tombstones = true;
        }
        keep[i] = true;
        ++kept;
      }
      stats.records_removed += static_cast<std::int64_t>(records.size() - kept);
      if (kept == 0) return Result<void, LogError>();
      if (kept == records.size()) {
        if (!writer.write(bytes)) return Result<void, LogError>(Unexpected{LogError::storage_error});
        return Result<void, LogError>();
      }
      auto rebuilt = rebuild(h, *read, keep);
      if (!rebuilt) return Result<void, LogError>(Unexpected{rebuilt.error()});
      if (!writer.write(*rebuilt)) return Result<void, LogError>(Unexpected{LogError::storage_error});
      return Result<void, LogError>();
    });
    if (!copied) return fail(copied.error());
  }
  if (!writer.flush()) return fail(LogError::storage_error);
  out.size = writer.size();
  if (out.size == 0) {
    out.has_tombstones = false;
    handle = FileHandle();
    std::error_code ec;
    std::filesystem::remove(path, ec);
    return out;
  }
  if (!set_mtime(fd, out.cleaned_at_ms) || !io::sync(fd)) return fail(LogError::storage_error);
  stats.bytes_written += out.size;
  ++stats.segments_written;
  return out;
}

std::vector<std::pair<std::size_t, std::size_t>> group_by_size(std::span<const SourceSegment> segments,
                                                               std::int64_t max_bytes) {
  std::vector<std::pair<std::size_t, std::size_t>> groups;
  std::size_t i = 0;
  while (i < segments.size()) {
    const std::int64_t base = segments[i].segment.base_offset;
    std::uint64_t bytes = segments[i].segment.size;
    std::size_t j = i + 1;
    while (j < segments.size()) {
      const SegmentView& next = segments[j].segment;
      if (bytes + next.size > static_cast<std::uint64_t>(std::max<std::int64_t>(max_bytes, 0))) break;
      if (next.next_offset - 1 - base > INT32_MAX) break;  // relative offsets are u32 in the index
      bytes += next.size;
      ++j;
    }
    groups.emplace_back(i, j);
    i = j;
  }
  return groups;
}

Result<CompactionWork, LogError> run(const CompactionPlan& plan) {
  CompactionWork work;
  work.stats.dirty_ratio = plan.dirty_ratio;
  work.stats.first_uncleanable_offset = plan.first_uncleanable_offset;
  BoundedOffsetMap map;
  map.max_bytes = plan.max_map_bytes;
  const AbortedBatches aborted(plan.aborted);
  std::size_t end = plan.sources.size();  // the pass reads sources [0, end)
  for (std::size_t i = 0; i < plan.sources.size(); ++i) {
    if (plan.sources[i].already_cleaned) continue;
    const auto& source = plan.sources[i].segment;
    if (auto r = add_to_offset_map(source, plan.first_dirty_offset, aborted, map); !r) return Unexpected{r.error()};
    if (map.full) {
      end = i + 1;
      break;
    }
  }
  work.end_offset = map.full ? map.full_at : plan.first_uncleanable_offset;
  work.stats.first_uncleanable_offset = work.end_offset;
  for (const auto& [first, last] : plan.groups) {
    if (first >= end) break;
    work.groups.emplace_back(first, std::min(last, end));  // part of a group fits wherever the group did
  }
  const CleanOptions options{plan.now_ms, plan.delete_retention_ms, work.end_offset};
  for (const auto& [first, last] : work.groups) {
    const std::span<const SourceSegment> group(plan.sources.data() + first, last - first);
    auto cleaned = write_cleaned_segment(plan.dir, group, map.map, aborted, options, work.stats);
    if (!cleaned) {
      std::error_code ec;
      for (const auto& done : work.cleaned) {
        if (done.size > 0) std::filesystem::remove(files::cleaned_log_path(plan.dir, done.base_offset), ec);
      }
      return Unexpected{cleaned.error()};
    }
    work.cleaned.push_back(*cleaned);
  }
  return work;
}

std::int64_t modified_ms(const SegmentView& segment) {
  struct stat st {};
  if (::fstat(segment.file->fd(), &st) != 0) return 0;
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
}

Result<std::vector<std::int64_t>, LogError> complete_swaps(const std::filesystem::path& dir) {
  std::vector<std::int64_t> swaps, bases;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (const auto base = files::parse_base_offset(name, files::kSwapLogSuffix)) {
      swaps.push_back(*base);
    } else if (const auto b = files::parse_base_offset(name, files::kLogSuffix)) {
      bases.push_back(*b);
    }
  }
  if (ec) return Unexpected{LogError::storage_error};
  if (swaps.empty()) return swaps;
  std::sort(swaps.begin(), swaps.end());
  std::sort(bases.begin(), bases.end());
  for (const std::int64_t base : swaps) {
    const auto swap = files::swap_log_path(dir, base);
    const std::int64_t next = scan_next_offset(swap, base);
    // Past the commit point: the swap file replaces the segments it covers.
    for (const std::int64_t old : bases) {
      if (old > base && old < next) {
        spdlog::warn("log {}: removing segment {}, replaced by compacted segment {}", dir.string(), old, base);
        std::filesystem::remove(files::log_path(dir, old), ec);
        std::filesystem::remove(files::index_path(dir, old), ec);
        std::filesystem::remove(files::time_index_path(dir, old), ec);
      }
    }
    std::filesystem::remove(files::index_path(dir, base), ec);
    std::filesystem::remove(files::time_index_path(dir, base), ec);
    std::filesystem::rename(swap, files::log_path(dir, base), ec);
    if (ec) return Unexpected{LogError::storage_error};
    spdlog::warn("log {}: completed the swap of compacted segment {}", dir.string(), base);
  }
  if (!io::sync_dir(dir)) return Unexpected{LogError::storage_error};
  return swaps;
}

}  // namespace conveyor::log::cleaner
