#pragma once
// FileHandle: owns one open file descriptor and closes it on destruction.
// Shared (std::shared_ptr<const FileHandle>) between a log segment and the
// responses that send ranges of it with sendfile, so deleting a segment while
// a fetch response is on the wire is safe: the descriptor lives until the last
// response that refers to it is written.

#include <string>
#include <utility>

namespace conveyor {

class FileHandle {
 public:
  FileHandle() = default;
  explicit FileHandle(int fd, std::string path = {}) : fd_(fd), path_(std::move(path)) {}
  ~FileHandle();
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;
  FileHandle(FileHandle&& other) noexcept
      : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}
  FileHandle& operator=(FileHandle&& other) noexcept;

  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }
  // Gives up ownership without closing.
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_ = -1;
  std::string path_;
};

}  // namespace conveyor
