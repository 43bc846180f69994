#include "conveyor/log/checkpoint.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "conveyor/log/file_io.h"
#include "conveyor/log/log_files.h"

namespace conveyor::log {

namespace {
constexpr const char* kMagic = "conveyor-checkpoint";
constexpr int kVersion = 0;
}  // namespace

Result<void, LogError> Checkpoint::write(const Values& values) const {
  std::string text = std::string(kMagic) + " " + std::to_string(kVersion) + "\n";
  for (const auto& [key, value] : values) text += key + " " + std::to_string(value) + "\n";

  std::filesystem::path temp = path_;
  temp += files::kTempSuffix;
  const int fd = io::open_rw(temp, true);
  if (fd < 0) return Unexpected{LogError::storage_error};
  const bool written =
      ::ftruncate(fd, 0) == 0 &&
      io::pwrite_full(fd, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, 0) &&
      ::fsync(fd) == 0;
  ::close(fd);
  if (!written) return Unexpected{LogError::storage_error};
  if (std::rename(temp.c_str(), path_.c_str()) != 0) return Unexpected{LogError::storage_error};
  if (!io::sync_dir(path_.parent_path())) return Unexpected{LogError::storage_error};
  return {};
}

std::optional<Checkpoint::Values> Checkpoint::read() const {
  std::ifstream in(path_);
  if (!in) return std::nullopt;
  std::string magic;
  int version = -1;
  if (!(in >> magic >> version) || magic != kMagic || version != kVersion) return std::nullopt;
  Values values;
  std::string key;
  std::int64_t value = 0;
  while (in >> key) {
    if (!(in >> value)) return std::nullopt;
    values[key] = value;
  }
  if (!in.eof()) return std::nullopt;
  return values;
}

}  // namespace conveyor::log
