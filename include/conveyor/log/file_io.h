#pragma once
// Small POSIX helpers the log engine shares: whole-buffer pread/pwrite that
// retry short transfers and EINTR, opening files, and fsync of a directory.
// Every function reports failure as false/-1 with errno set; callers turn
// that into LogError::storage_error.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>

namespace conveyor::log::io {

// Opens `path` read-write, creating it when `create`; returns the fd or -1.
int open_rw(const std::filesystem::path& path, bool create);
// Reads up to `out.size()` bytes at `position`; returns bytes read (short only at EOF) or -1.
std::int64_t pread_full(int fd, std::span<std::uint8_t> out, std::uint64_t position);
// Writes all of `bytes` at `position`.
bool pwrite_full(int fd, std::span<const std::uint8_t> bytes, std::uint64_t position);
// fdatasync(fd).
bool sync(int fd);
// Opens `path`, fdatasyncs it, closes it.
bool sync_file(const std::filesystem::path& path);
// Opens `dir`, fsyncs it (so created, renamed and deleted entries are durable), closes it.
bool sync_dir(const std::filesystem::path& dir);
// Opens a directory for later fsync (O_RDONLY | O_DIRECTORY); -1 on failure.
int open_dir(const std::filesystem::path& dir);
// Size of the open file, or -1.
std::int64_t file_size(int fd);

// Writes zeros over [from, to) (page cache; one pwritev per few MiB).
bool write_zeros(int fd, std::uint64_t from, std::uint64_t to);
// sync_file_range: starts writeback of the dirty pages in [from, to), or
// waits until every page of the range that was dirty is on the device (in its
// volatile cache: no cache flush, no metadata). Only safe as part of a
// durable write when the range overwrites blocks whose allocation is already
// durable, and a cache flush of the device follows (see Preallocation).
bool start_writeback(int fd, std::uint64_t from, std::uint64_t to);
bool wait_writeback(int fd, std::uint64_t from, std::uint64_t to);
// The device the open file lives on (st_dev), or -1.
std::int64_t device_of(int fd);
// True when files in `dir` live on a file system whose fdatasync after an
// in-place overwrite needs no metadata and flushes the device cache, so that
// writing ahead (log.preallocate) pays: ext4 (not mounted data=journal) and
// XFS.
bool overwrites_are_cheap(const std::filesystem::path& dir);

}  // namespace conveyor::log::io
