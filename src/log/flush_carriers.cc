#include "conveyor/log/flush_carriers.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cstdint>

#include "conveyor/log/file_io.h"

namespace conveyor::log {

namespace {
constexpr std::size_t kCarrierBytes = 4096;

std::unique_ptr<FileHandle> create_carrier(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) return nullptr;
  auto carrier = std::make_unique<FileHandle>(fd, dir.string() + "/(flush carrier)");
  const std::array<std::uint8_t, kCarrierBytes> block{};
  if (!io::pwrite_full(fd, block, 0) || !io::sync(fd)) return nullptr;
  return carrier;
}
}  // namespace

const FileHandle* FlushCarriers::prepare(dev_t device, const std::filesystem::path& near) {
  auto it = carriers_.find(device);
  if (it == carriers_.end())
    it = carriers_.emplace(device, create_carrier(near.parent_path())).first;
  if (!it->second) return nullptr;
  // A new byte each time: the fdatasync then has data of its own to make durable.
  const std::uint8_t byte = ++counter_;
  if (!io::pwrite_full(it->second->fd(), std::span<const std::uint8_t>(&byte, 1), 0))
    return nullptr;
  return it->second.get();
}

}  // namespace conveyor::log
