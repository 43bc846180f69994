#include "conveyor/log/index_file.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>

#include "conveyor/log/file_io.h"

namespace conveyor::log {

IndexFile::~IndexFile() { unmap(); }

void IndexFile::unmap() {
  if (base_ != nullptr) ::munmap(base_, mapped_bytes_);
  base_ = nullptr;
  mapped_bytes_ = 0;
}

Result<void, LogError> IndexFile::map(std::size_t bytes, bool writable) {
  unmap();
  writable_ = writable;
  if (bytes == 0) return {};
  const int prot = writable ? (PROT_READ | PROT_WRITE) : PROT_READ;
  void* p = ::mmap(nullptr, bytes, prot, MAP_SHARED, file_->fd(), 0);
  if (p == MAP_FAILED) return Unexpected{LogError::storage_error};
  base_ = static_cast<std::uint8_t*>(p);
  mapped_bytes_ = bytes;
  return {};
}

Result<void, LogError> IndexFile::open(const std::filesystem::path& path, std::size_t max_bytes,
                                       bool writable) {
  path_ = path;
  const int fd = io::open_rw(path, true);
  if (fd < 0) return Unexpected{LogError::storage_error};
  file_ = std::make_shared<const FileHandle>(fd, path.string());
  const std::int64_t size = io::file_size(fd);
  if (size < 0) return Unexpected{LogError::storage_error};
  entries_ = static_cast<std::size_t>(size) / entry_size_;
  if (writable) return make_writable(max_bytes);
  return map(entries_ * entry_size_, false);
}

Result<void, LogError> IndexFile::make_writable(std::size_t max_bytes) {
  const std::size_t bytes = std::max(max_bytes / entry_size_, entries_) * entry_size_;
  if (::ftruncate(file_->fd(), static_cast<off_t>(bytes)) != 0) return Unexpected{LogError::storage_error};
  return map(bytes, true);
}

Result<void, LogError> IndexFile::trim() {
  const std::size_t bytes = entries_ * entry_size_;
  unmap();
  if (::ftruncate(file_->fd(), static_cast<off_t>(bytes)) != 0) return Unexpected{LogError::storage_error};
  return map(bytes, false);
}

void IndexFile::truncate_entries(std::size_t n) { entries_ = std::min(entries_, n); }

void IndexFile::close() {
  unmap();
  entries_ = 0;
  writable_ = false;
  file_.reset();
}

void IndexFile::remove() {
  unmap();
  entries_ = 0;
  writable_ = false;
  file_.reset();
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

}  // namespace conveyor::log
