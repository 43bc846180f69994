#include "conveyor/log/segment.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>

#include "conveyor/log/file_io.h"
#include "conveyor/log/log_files.h"
#include "conveyor/protocol/record_batch.h"

namespace conveyor::log {

using protocol::kRecordBatchHeaderSize;
using protocol::RecordBatchHeader;

namespace {
// Recovery reads the log in chunks of this size (batches larger than it are
// read whole).
constexpr std::size_t kScanChunk = 1 << 20;

std::uint64_t next_segment_id() {
  static std::atomic<std::uint64_t> next{1};  // segments are created rarely: no contention
  return next.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace

Segment::Segment(std::filesystem::path dir, std::int64_t base_offset, std::size_t index_max_bytes,
                 std::int32_t index_interval_bytes, std::int64_t now_ms)
    : id_(next_segment_id()),
      dir_(std::move(dir)),
      base_offset_(base_offset),
      index_max_bytes_(index_max_bytes),
      index_interval_bytes_(index_interval_bytes),
      created_ms_(now_ms),
      offset_index_(base_offset),
      time_index_(base_offset),
      next_offset_(base_offset) {}

Result<void, LogError> Segment::open_files(bool create, bool writable) {
  const auto path = files::log_path(dir_, base_offset_);
  const int fd = io::open_rw(path, create);
  if (fd < 0) return Unexpected{LogError::storage_error};
  log_file_ = std::make_shared<const FileHandle>(fd, path.string());
  if (create && ::ftruncate(fd, 0) != 0) return Unexpected{LogError::storage_error};
  const std::int64_t size = io::file_size(fd);
  if (size < 0) return Unexpected{LogError::storage_error};
  size_ = static_cast<std::uint64_t>(size);
  file_end_ = size_;
  if (auto r =
          offset_index_.open(files::index_path(dir_, base_offset_), index_max_bytes_, writable);
      !r)
    return r;
  if (auto r =
          time_index_.open(files::time_index_path(dir_, base_offset_), index_max_bytes_, writable);
      !r) {
    return r;
  }
  if (create) {
    offset_index_.reset();
    time_index_.reset();
  }
  return {};
}

Result<void, LogError> Segment::ensure_open() const {
  if (log_file_) return {};
  const auto path = files::log_path(dir_, base_offset_);
  const int fd = io::open_rw(path, false);
  if (fd < 0) return Unexpected{LogError::storage_error};
  auto file = std::make_shared<const FileHandle>(fd, path.string());
  auto opened = offset_index_.open(files::index_path(dir_, base_offset_), index_max_bytes_, false);
  if (opened)
    opened = time_index_.open(files::time_index_path(dir_, base_offset_), index_max_bytes_, false);
  if (!opened) {  // leave nothing half open: the next use tries again
    offset_index_.file().close();
    time_index_.file().close();
    return opened;
  }
  log_file_ = std::move(file);
  return {};
}

void Segment::release_files() {
  if (!log_file_ || offset_index_.file().writable() || time_index_.file().writable()) return;
  log_file_.reset();
  offset_index_.file().close();
  time_index_.file().close();
}

Result<std::unique_ptr<Segment>, LogError> Segment::create(const std::filesystem::path& dir,
                                                           std::int64_t base_offset,
                                                           std::size_t index_max_bytes,
                                                           std::int32_t index_interval_bytes,
                                                           std::int64_t now_ms) {
  std::unique_ptr<Segment> segment(
      new Segment(dir, base_offset, index_max_bytes, index_interval_bytes, now_ms));
  if (auto r = segment->open_files(true, true); !r) return Unexpected{r.error()};
  return segment;
}

Result<std::unique_ptr<Segment>, LogError> Segment::open(const std::filesystem::path& dir,
                                                         std::int64_t base_offset,
                                                         std::size_t index_max_bytes,
                                                         std::int32_t index_interval_bytes,
                                                         bool writable, std::int64_t now_ms) {
  std::unique_ptr<Segment> segment(
      new Segment(dir, base_offset, index_max_bytes, index_interval_bytes, now_ms));
  if (auto r = segment->open_files(false, writable); !r) return Unexpected{r.error()};
  return segment;
}

void Segment::reset_state() {
  next_offset_ = base_offset_;
  max_timestamp_ = -1;
  offset_of_max_timestamp_ = -1;
  first_batch_timestamp_ = -1;
  bytes_since_index_entry_ = 0;
}

void Segment::index_batch(std::uint64_t position, const BatchMeta& batch) {
  if (position == 0) first_batch_timestamp_ = batch.max_timestamp;
  if (batch.max_timestamp > max_timestamp_) {
    max_timestamp_ = batch.max_timestamp;
    offset_of_max_timestamp_ = batch.last_offset;
  }
  if (bytes_since_index_entry_ > static_cast<std::uint64_t>(std::max(index_interval_bytes_, 0))) {
    offset_index_.append(batch.last_offset, static_cast<std::uint32_t>(position));
    time_index_.maybe_append(max_timestamp_, offset_of_max_timestamp_);
    bytes_since_index_entry_ = 0;
  }
  bytes_since_index_entry_ += batch.size;
  next_offset_ = batch.last_offset + 1;
}

std::optional<RecordBatchHeader> Segment::header_at(std::uint64_t position) const {
  if (position + kRecordBatchHeaderSize > size_) return std::nullopt;
  if (!ensure_open()) return std::nullopt;
  std::array<std::uint8_t, kRecordBatchHeaderSize> buf{};
  if (io::pread_full(log_file_->fd(), buf, position) != static_cast<std::int64_t>(buf.size()))
    return std::nullopt;
  auto header = protocol::read_batch_header(buf);
  if (!header) return std::nullopt;
  if (position + header->size_in_bytes() > size_) return std::nullopt;
  return *header;
}

Result<bool, LogError> Segment::load() {
  reset_state();  // the indexes stay: they are what is being checked
  if (size_ > UINT32_MAX) return false;
  if (!offset_index_.plausible(size_) || !time_index_.plausible()) return false;
  const auto last_entry = offset_index_.last_entry();
  if (size_ == 0) return offset_index_.entries() == 0 && time_index_.entries() == 0;
  if (const auto t = time_index_.last_entry()) {
    max_timestamp_ = t->timestamp;
    offset_of_max_timestamp_ = t->offset;
  }
  const auto first = header_at(0);
  if (!first || first->base_offset < base_offset_) return false;
  first_batch_timestamp_ = first->max_timestamp;

  // Only the batches after the last index entry are read.
  const std::uint64_t start = last_entry ? last_entry->position : 0;
  std::uint64_t pos = start;
  while (pos < size_) {
    const auto h = header_at(pos);
    if (!h || h->base_offset < std::max(next_offset_, base_offset_)) return false;
    if (pos == start && last_entry && h->last_offset() != last_entry->offset) return false;
    if (h->max_timestamp > max_timestamp_) {
      max_timestamp_ = h->max_timestamp;
      offset_of_max_timestamp_ = h->last_offset();
    }
    next_offset_ = h->next_offset();
    pos += h->size_in_bytes();
  }
  bytes_since_index_entry_ = size_ - start;
  if (const auto t = time_index_.last_entry(); t && t->offset >= next_offset_) return false;
  return true;
}

Result<void, LogError> Segment::make_writable() {
  if (!offset_index_.file().writable()) {
    if (auto r = offset_index_.file().make_writable(index_max_bytes_); !r) return r;
  }
  if (!time_index_.file().writable()) {
    if (auto r = time_index_.file().make_writable(index_max_bytes_); !r) return r;
  }
  return {};
}

Result<Segment::RecoveryResult, LogError> Segment::recover() {
  if (auto r = make_writable(); !r) return Unexpected{r.error()};
  offset_index_.reset();
  time_index_.reset();
  reset_state();
  const int fd = log_file_->fd();
  const std::int64_t file_size = io::file_size(fd);
  if (file_size < 0) return Unexpected{LogError::storage_error};
  const auto end = static_cast<std::uint64_t>(file_size);

  std::vector<std::uint8_t> buf;
  std::uint64_t buf_pos = 0;
  std::size_t buf_len = 0;
  bool io_error = false;
  // The bytes [pos, pos + n), read through the chunk buffer; empty when short.
  auto bytes_at = [&](std::uint64_t pos, std::size_t n) -> std::span<const std::uint8_t> {
    if (pos < buf_pos || pos + n > buf_pos + buf_len) {
      buf.resize(std::max(n, kScanChunk));
      const std::int64_t got = io::pread_full(fd, buf, pos);
      if (got < 0) {
        io_error = true;
        return {};
      }
      buf_pos = pos;
      buf_len = static_cast<std::size_t>(got);
      if (buf_len < n) return {};
    }
    return std::span<const std::uint8_t>(buf).subspan(pos - buf_pos, n);
  };

  RecoveryResult result;
  std::uint64_t pos = 0;
  std::int64_t expected = base_offset_;
  while (pos < end) {
    if (end - pos < kRecordBatchHeaderSize) break;
    const auto head = bytes_at(pos, kRecordBatchHeaderSize);
    if (head.empty()) break;
    const auto h = protocol::read_batch_header(head);
    if (!h) break;
    const std::size_t size = h->size_in_bytes();
    if (size > end - pos || pos + size > UINT32_MAX) break;
    const auto batch = bytes_at(pos, size);
    if (batch.empty() || !protocol::batch_crc_matches(batch)) break;
    if (h->base_offset < expected || h->last_offset() - base_offset_ > INT32_MAX) break;
    index_batch(pos,
                BatchMeta{h->last_offset(), h->max_timestamp, static_cast<std::uint32_t>(size)});
    pos += size;
    expected = h->next_offset();
    ++result.batches;
  }
  if (io_error) return Unexpected{LogError::storage_error};
  if (pos < end) {
    const auto rest = bytes_at(
        pos, static_cast<std::size_t>(std::min<std::uint64_t>(end - pos, kRecordBatchHeaderSize)));
    result.zero_tail = !rest.empty() &&
                       std::all_of(rest.begin(), rest.end(), [](std::uint8_t b) { return b == 0; });
  }
  size_ = pos;
  result.valid_bytes = pos;
  result.truncated_bytes = end - pos;
  if (auto r = trim_to_data(); !r) return Unexpected{r.error()};
  return result;
}

Result<void, LogError> Segment::append(std::span<const std::uint8_t> bytes,
                                       std::span<const BatchMeta> batches) {
  const int fd = log_file_->fd();
  const auto write = [&] { return io::pwrite_full(fd, bytes, size_); };
  if (!(preallocation_ ? preallocation_->write_data(size_ + bytes.size(), write) : write())) {
    file_end_ = std::max<std::uint64_t>(file_end_,
                                        size_ + bytes.size());  // whatever part of it was written
    [[maybe_unused]] const auto trimmed = trim_to_data();
    return Unexpected{LogError::storage_error};
  }
  std::uint64_t pos = size_;
  for (const auto& batch : batches) {
    index_batch(pos, batch);
    pos += batch.size;
  }
  size_ = pos;
  file_end_ = std::max(file_end_, size_);
  return {};
}

Result<void, LogError> Segment::trim_to_data() {
  // Recovery may find the file longer than what it tracked (zeros written
  // ahead before a crash): cut to the data whenever the file is longer.
  const std::int64_t length = io::file_size(log_file_->fd());
  if (length < 0) return Unexpected{LogError::storage_error};
  if (preallocation_) preallocation_->truncated_to(size_);
  if (static_cast<std::uint64_t>(length) > size_ &&
      ::ftruncate(log_file_->fd(), static_cast<off_t>(size_)) != 0) {
    return Unexpected{LogError::storage_error};
  }
  file_end_ = size_;
  return {};
}

Result<bool, LogError> Segment::preallocate(std::uint64_t lead, std::uint64_t limit) {
  if (!log_file_ || !offset_index_.file().writable()) return false;  // sealed or released
  if (!preallocation_) {
    const std::int64_t device = io::device_of(log_file_->fd());
    if (device < 0) return Unexpected{LogError::storage_error};
    preallocation_ =
        std::make_shared<Preallocation>(log_file_, static_cast<dev_t>(device), size_);
  }
  if (preallocation_->zeroing_failed()) return Unexpected{LogError::storage_error};
  const std::uint64_t from = std::max(preallocation_->zeros_wanted(), size_);
  if (from >= std::min(size_ + lead, limit)) return false;
  // The FlushScheduler's thread writes them (Preallocation::write_ahead):
  // not on the shard, where fresh page-cache pages would stall every client.
  return preallocation_->want_zeros_to(std::min(from + lead, limit));
}

bool Segment::index_full(std::size_t batches) const {
  return offset_index_.max_entries() -
                 std::min(offset_index_.max_entries(), offset_index_.entries()) <
             batches ||
         time_index_.max_entries() - std::min(time_index_.max_entries(), time_index_.entries()) <
             batches;
}

Result<std::optional<Segment::Located>, LogError> Segment::locate(std::int64_t offset) const {
  if (auto r = ensure_open(); !r) return Unexpected{r.error()};
  const auto [floor, ceiling] = offset_index_.bracket(offset);
  // Index entries name a batch's last offset and its start. Unless it ends
  // exactly at `offset`, the floor's batch ends before it, so the batch
  // holding it comes later; when the index has an entry for every batch
  // (batches of index.interval.bytes or more, the usual case under load) it
  // is the ceiling's. One header read then suffices; otherwise scan forward
  // from the floor.
  if (ceiling && floor.offset != offset) {
    if (const auto h = header_at(ceiling->position);
        h && h->base_offset <= offset && h->last_offset() >= offset) {
      return std::optional<Located>(Located{ceiling->position, *h});
    }
  }
  std::uint64_t pos = floor.position;
  while (pos < size_) {
    const auto h = header_at(pos);
    if (!h) return Unexpected{LogError::storage_error};
    if (h->last_offset() >= offset) return std::optional<Located>(Located{pos, *h});
    pos += h->size_in_bytes();
  }
  return std::optional<Located>();
}

Result<std::optional<protocol::FileSlice>, LogError> Segment::read(std::int64_t offset,
                                                                   std::uint32_t max_bytes,
                                                                   bool min_one_batch,
                                                                   std::int64_t max_offset) const {
  const auto found = locate(offset);
  if (!found) return Unexpected{found.error()};
  if (!found->has_value()) return std::optional<protocol::FileSlice>();
  const Located& first = **found;
  const std::uint64_t start = first.position;
  protocol::FileSlice slice{log_file_, start, 0};

  // Batches at or above max_offset are not read: stop where the batch holding it starts.
  std::uint64_t cap = size_;
  if (max_offset < next_offset_) {
    const auto limit = locate(max_offset);
    if (!limit) return Unexpected{limit.error()};
    if (limit->has_value()) cap = (*limit)->position;
  }
  if (start >= cap) return std::optional<protocol::FileSlice>(slice);

  const std::uint64_t first_size = first.header.size_in_bytes();
  if (first_size > max_bytes) {
    if (min_one_batch) slice.size = static_cast<std::uint32_t>(first_size);
    return std::optional<protocol::FileSlice>(slice);
  }
  const std::uint64_t limit = std::min<std::uint64_t>(cap, start + max_bytes);
  std::uint64_t end = start + first_size;
  // Jump over whole batches with the index, then scan the last stretch.
  if (const auto entry = offset_index_.lookup_by_position(limit); entry && entry->position > end) {
    end = entry->position;
  }
  while (end < limit) {
    const auto h = header_at(end);
    if (!h || end + h->size_in_bytes() > limit) break;
    end += h->size_in_bytes();
  }
  slice.size = static_cast<std::uint32_t>(end - start);
  return std::optional<protocol::FileSlice>(slice);
}

Result<std::optional<Segment::Located>, LogError> Segment::find_timestamp(
    std::int64_t timestamp, std::int64_t min_offset) const {
  if (max_timestamp_ < timestamp) return std::optional<Located>();
  if (auto r = ensure_open(); !r) return Unexpected{r.error()};
  std::uint64_t pos = 0;
  if (const auto entry = time_index_.last_before(timestamp))
    pos = offset_index_.lookup(entry->offset).position;
  while (pos < size_) {
    const auto h = header_at(pos);
    if (!h) return Unexpected{LogError::storage_error};
    if (h->max_timestamp >= timestamp && h->last_offset() >= min_offset) {
      return std::optional<Located>(Located{pos, *h});
    }
    pos += h->size_in_bytes();
  }
  return std::optional<Located>();
}

namespace {
// Largest decompressed batch ListOffsets will inflate (Kafka's own limit is
// the JVM heap; a corrupt length must not become an allocation).
constexpr std::size_t kMaxDecompressedBatch = 256u << 20;
}  // namespace

std::pair<std::int64_t, std::int64_t> Segment::first_record_at_or_after(
    const Located& found, std::int64_t timestamp, std::int64_t min_offset) const {
  const RecordBatchHeader& h = found.header;
  const std::pair<std::int64_t, std::int64_t> fallback{std::max(h.base_offset, min_offset),
                                                       h.max_timestamp};
  if (h.timestamp_type() != protocol::TimestampType::create_time)
    return fallback;  // one timestamp for all
  if (!ensure_open()) return fallback;
  std::vector<std::uint8_t> batch(h.size_in_bytes());
  if (io::pread_full(log_file_->fd(), batch, found.position) !=
      static_cast<std::int64_t>(batch.size())) {
    return fallback;
  }
  // Kafka decompresses here too: the exact record, not the batch, answers
  // ListOffsets. The bound only guards against a corrupt length.
  protocol::ReadOptions options;
  options.max_decompressed = kMaxDecompressedBatch;
  options.verify_crc = false;  // checked on append and on recovery
  options.allow_offset_gaps = true;
  auto read = protocol::RecordBatch::read(batch, options);
  if (!read) return fallback;
  for (const auto& record : read->records()) {
    const std::int64_t record_offset = read->offset_of(record);
    const std::int64_t record_timestamp = read->timestamp_of(record);
    if (record_timestamp >= timestamp && record_offset >= min_offset)
      return {record_offset, record_timestamp};
  }
  return fallback;
}

Result<void, LogError> Segment::seal() {
  if ((file_end_ > size_ || preallocation_) && log_file_) {
    if (auto r = trim_to_data(); !r) return r;
  }
  // A sealed segment is flushed whole from now on. A failed preallocation
  // stays, so that every later flush naming this file fails: the failed sync
  // may have been the descriptor's only report of lost pages.
  if (preallocation_ && !preallocation_->failed()) preallocation_.reset();
  time_index_.maybe_append(max_timestamp_, offset_of_max_timestamp_);
  if (offset_index_.file().writable()) {
    if (auto r = offset_index_.file().trim(); !r) return r;
  }
  if (time_index_.file().writable()) {
    if (auto r = time_index_.file().trim(); !r) return r;
  }
  return {};
}

Result<void, LogError> Segment::sync() const {
  if (auto r = ensure_open(); !r) return r;
  if (!io::sync(log_file_->fd())) return Unexpected{LogError::storage_error};
  for (const auto* f : {&offset_index_file(), &time_index_file()}) {
    if (*f && !io::sync((*f)->fd())) return Unexpected{LogError::storage_error};
  }
  return {};
}

void Segment::remove() {
  std::error_code ec;
  std::filesystem::remove(files::log_path(dir_, base_offset_), ec);
  offset_index_.file().remove();
  time_index_.file().remove();
}

}  // namespace conveyor::log
