#include "conveyor/metadata/file_metadata_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "conveyor/protocol/crc32c.h"
#include "conveyor/protocol/record_batch_header.h"

namespace conveyor::metadata {

namespace {

constexpr std::size_t kFrameHeader = 8;
// A single metadata record is small; anything larger is corruption.
constexpr std::uint32_t kMaxRecordBytes = 16 * 1024 * 1024;

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

bool fsync_directory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

Result<std::unique_ptr<FileMetadataStore>, std::string> FileMetadataStore::open(const std::string& path) {
  const auto dir = std::filesystem::path(path).parent_path();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Unexpected{"cannot create " + dir.string() + ": " + ec.message()};
  const bool existed = std::filesystem::exists(path);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Unexpected{errno_text("cannot open " + path)};
  if (!existed && !fsync_directory(dir.string())) return Unexpected{errno_text("cannot fsync " + dir.string())};
  return std::unique_ptr<FileMetadataStore>(new FileMetadataStore(FileHandle(fd, path), path));
}

Result<std::vector<StoredRecord>, std::string> FileMetadataStore::read_all() {
  struct stat st {};
  if (::fstat(file_.fd(), &st) != 0) return Unexpected{errno_text("cannot stat " + path_)};
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = ::pread(file_.fd(), bytes.data() + got, bytes.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Unexpected{errno_text("cannot read " + path_)};
    got += static_cast<std::size_t>(n);
  }
  std::vector<StoredRecord> records;
  std::size_t pos = 0;
  while (bytes.size() - pos >= kFrameHeader) {
    const auto length = static_cast<std::uint32_t>(protocol::load_be32(bytes.data() + pos));
    const auto crc = static_cast<std::uint32_t>(protocol::load_be32(bytes.data() + pos + 4));
    if (length > kMaxRecordBytes || length > bytes.size() - pos - kFrameHeader) break;
    std::span<const std::uint8_t> payload(bytes.data() + pos + kFrameHeader, length);
    if (protocol::crc32c::compute(payload) != crc) break;
    records.push_back({static_cast<std::int64_t>(records.size()), {payload.begin(), payload.end()}});
    pos += kFrameHeader + length;
  }
  if (pos != bytes.size()) {
    // A torn append: drop it, durably, so later appends follow whole records.
    if (::ftruncate(file_.fd(), static_cast<off_t>(pos)) != 0 || ::fdatasync(file_.fd()) != 0) {
      return Unexpected{errno_text("cannot truncate the torn tail of " + path_)};
    }
  }
  end_ = pos;
  next_offset_ = static_cast<std::int64_t>(records.size());
  loaded_ = true;
  return records;
}

Result<std::int64_t, std::string> FileMetadataStore::append(const std::vector<std::vector<std::uint8_t>>& records) {
  if (!loaded_) return Unexpected{std::string("metadata log appended before it was read")};
  std::vector<std::uint8_t> frame;
  for (const auto& record : records) {
    const std::size_t at = frame.size();
    frame.resize(at + kFrameHeader + record.size());
    protocol::store_be32(frame.data() + at, static_cast<std::int32_t>(record.size()));
    protocol::store_be32(frame.data() + at + 4, static_cast<std::int32_t>(protocol::crc32c::compute(record)));
    std::memcpy(frame.data() + at + kFrameHeader, record.data(), record.size());
  }
  std::size_t written = 0;
  while (written < frame.size()) {
    const ssize_t n = ::pwrite(file_.fd(), frame.data() + written, frame.size() - written,
                               static_cast<off_t>(end_ + written));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Unexpected{errno_text("cannot write " + path_)};
    written += static_cast<std::size_t>(n);
  }
  if (::fdatasync(file_.fd()) != 0) return Unexpected{errno_text("cannot fsync " + path_)};
  end_ += frame.size();
  const std::int64_t first = next_offset_;
  next_offset_ += static_cast<std::int64_t>(records.size());
  return first;
}

}  // namespace conveyor::metadata
