#pragma once
// IndexFile: a memory-mapped file of fixed-size entries, the storage under
// OffsetIndex and TimeIndex (Kafka's AbstractIndex).
//
// Lifecycle: the active segment's index is *writable*: the file is grown to
// its maximum size (segment.index.bytes rounded down to whole entries; sparse,
// so it costs no disk) and mapped read-write; entries are appended in place.
// When the segment rolls or the log closes, trim() cuts the file to the
// entries in use and remaps it read-only. A file opened read-only holds
// size / entry_size entries.
//
// Durability: entries are written through the page cache like the log; the
// FlushScheduler fdatasyncs file() for segments that have rolled. A crash can
// leave a preallocated, zero-filled tail: recovery rebuilds the indexes of
// every segment it scans, so a torn index is never trusted.
//
// Not thread-safe; owned by one Segment on one shard.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>

#include "conveyor/base/file_handle.h"
#include "conveyor/base/result.h"
#include "conveyor/log/log_error.h"

namespace conveyor::log {

class IndexFile {
 public:
  explicit IndexFile(std::size_t entry_size) : entry_size_(entry_size) {}
  ~IndexFile();
  IndexFile(const IndexFile&) = delete;
  IndexFile& operator=(const IndexFile&) = delete;

  // Opens (creating) `path`. Writable: preallocates to `max_bytes`.
  Result<void, LogError> open(const std::filesystem::path& path, std::size_t max_bytes, bool writable);
  // Cuts the file to the entries in use and maps it read-only.
  Result<void, LogError> trim();
  // Makes a read-only index writable again (grown to `max_bytes`).
  Result<void, LogError> make_writable(std::size_t max_bytes);
  // Unmaps, closes and deletes the file.
  void remove();
  // Unmaps and closes the file, keeping it on disk (open() maps it again).
  void close();

  std::size_t entries() const { return entries_; }
  std::size_t max_entries() const { return mapped_bytes_ / entry_size_; }
  bool full() const { return !writable_ || entries_ >= max_entries(); }
  bool writable() const { return writable_; }
  const std::uint8_t* entry(std::size_t i) const { return base_ + i * entry_size_; }
  // The slot of the next entry; the caller fills it, then commit_append().
  std::uint8_t* append_slot() { return base_ + entries_ * entry_size_; }
  void commit_append() { ++entries_; }
  // Forgets entries from `n` on (truncation, rebuild).
  void truncate_entries(std::size_t n);

  const std::shared_ptr<const FileHandle>& file() const { return file_; }
  const std::filesystem::path& path() const { return path_; }
  std::size_t entry_size() const { return entry_size_; }

 private:
  Result<void, LogError> map(std::size_t bytes, bool writable);
  void unmap();

  std::size_t entry_size_;
  std::filesystem::path path_;
  std::shared_ptr<const FileHandle> file_;
  std::uint8_t* base_ = nullptr;
  std::size_t mapped_bytes_ = 0;
  std::size_t entries_ = 0;
  bool writable_ = false;
};

// What OffsetIndex and TimeIndex share: the segment's base offset (entries
// hold offsets relative to it) and the IndexFile of EntrySize-byte entries.
template <std::size_t EntrySize>
class SegmentIndex {
 public:
  static constexpr std::size_t kEntrySize = EntrySize;

  explicit SegmentIndex(std::int64_t base_offset) : base_offset_(base_offset) {}

  Result<void, LogError> open(const std::filesystem::path& path, std::size_t max_bytes, bool writable) {
    return file_.open(path, max_bytes, writable);
  }
  void reset() { file_.truncate_entries(0); }

  std::size_t entries() const { return file_.entries(); }
  bool full() const { return file_.full(); }
  std::size_t max_entries() const { return file_.max_entries(); }
  IndexFile& file() { return file_; }
  const IndexFile& file() const { return file_; }

 protected:
  std::int64_t base_offset_;
  IndexFile file_{EntrySize};
};

}  // namespace conveyor::log
