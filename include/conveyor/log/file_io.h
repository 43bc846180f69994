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

}  // namespace conveyor::log::io
