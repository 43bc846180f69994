#include "conveyor/log/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <string>

namespace conveyor::log::io {

int open_rw(const std::filesystem::path& path, bool create) {
  int flags = O_RDWR | O_CLOEXEC;
  if (create) flags |= O_CREAT;
  int fd;
  do {
    fd = ::open(path.c_str(), flags, 0644);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

std::int64_t pread_full(int fd, std::span<std::uint8_t> out, std::uint64_t position) {
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n =
        ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(position + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return static_cast<std::int64_t>(done);
}

bool pwrite_full(int fd, std::span<const std::uint8_t> bytes, std::uint64_t position) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n =
        ::pwrite(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(position + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

bool sync(int fd) {
  int rc;
  do {
    rc = ::fdatasync(fd);
  } while (rc < 0 && errno == EINTR);
  return rc == 0;
}

int open_dir(const std::filesystem::path& dir) {
  return ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

bool sync_file(const std::filesystem::path& path) {
  const int fd = open_rw(path, false);
  if (fd < 0) return false;
  const bool ok = sync(fd);
  ::close(fd);
  return ok;
}

bool sync_dir(const std::filesystem::path& dir) {
  const int fd = open_dir(dir);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

std::int64_t file_size(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return -1;
  return static_cast<std::int64_t>(st.st_size);
}

namespace {
// Read-only zeros in .bss: pwritev of it maps nothing but the zero page.
constexpr std::size_t kZeroBlock = 64 * 1024;
constexpr std::size_t kZeroIovecs = 64;  // 4 MiB per pwritev
alignas(4096) const std::array<std::uint8_t, kZeroBlock> kZeros{};

bool sync_range(int fd, std::uint64_t from, std::uint64_t to, unsigned flags) {
  if (to <= from) return true;
  int rc;
  do {
    rc = ::sync_file_range(fd, static_cast<off_t>(from), static_cast<off_t>(to - from), flags);
  } while (rc < 0 && errno == EINTR);
  return rc == 0;
}
}  // namespace

bool write_zeros(int fd, std::uint64_t from, std::uint64_t to) {
  std::array<iovec, kZeroIovecs> iov{};
  while (from < to) {
    std::size_t count = 0;
    std::uint64_t bytes = 0;
    while (count < iov.size() && from + bytes < to) {
      const std::size_t n =
          static_cast<std::size_t>(std::min<std::uint64_t>(kZeroBlock, to - from - bytes));
      iov[count++] = iovec{const_cast<std::uint8_t*>(kZeros.data()), n};
      bytes += n;
    }
    const ssize_t n = ::pwritev(fd, iov.data(), static_cast<int>(count), static_cast<off_t>(from));
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    from += static_cast<std::uint64_t>(n);  // a short write continues from where it stopped
  }
  return true;
}

bool start_writeback(int fd, std::uint64_t from, std::uint64_t to) {
  return sync_range(fd, from, to, SYNC_FILE_RANGE_WRITE);
}

bool wait_writeback(int fd, std::uint64_t from, std::uint64_t to) {
  return sync_range(
      fd, from, to,
      SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
}

std::int64_t device_of(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return -1;
  return static_cast<std::int64_t>(st.st_dev);
}

namespace {

// The file system's own options ("super options") of the mount holding the
// device `dev`, from /proc/self/mountinfo; empty when not found.
std::string super_options_of(dev_t dev) {
  std::ifstream mountinfo("/proc/self/mountinfo");
  const std::string wanted = std::to_string(major(dev)) + ":" + std::to_string(minor(dev));
  for (std::string line; std::getline(mountinfo, line);) {
    // "<id> <parent> <major:minor> <root> <point> <options> [tags] - <type> <source> <super options>"
    std::istringstream fields(line);
    std::string id, parent, device;
    if (!(fields >> id >> parent >> device) || device != wanted) continue;
    const auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream tail(line.substr(dash + 3));
    std::string type, source, options;
    if (tail >> type >> source >> options) return options;
  }
  return {};
}

}  // namespace

bool overwrites_are_cheap(const std::filesystem::path& dir) {
  constexpr long kExt4Magic = 0xEF53;  // also ext2/ext3, which the kernel serves with ext4
  constexpr long kXfsMagic = 0x58465342;
  struct statfs fs {};
  if (::statfs(dir.c_str(), &fs) != 0) return false;
  if (fs.f_type == kXfsMagic) return true;
  if (fs.f_type != kExt4Magic) return false;
  // With data=journal, file data is written through the journal: a range
  // written back with sync_file_range is not in place yet, so the shared
  // cache flush would not cover it.
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return false;
  const std::string options = "," + super_options_of(st.st_dev) + ",";
  return options.find(",data=journal,") == std::string::npos;
}

}  // namespace conveyor::log::io
