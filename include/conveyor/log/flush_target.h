#pragma once
// FlushTarget: one file a flush request must make durable (FlushScheduler).

#include <cstdint>
#include <memory>

#include "conveyor/base/file_handle.h"
#include "conveyor/log/preallocation.h"

namespace conveyor::log {

struct FlushTarget {
  std::shared_ptr<const FileHandle> file;
  // Set for a preallocated active segment: [from, to) are the bytes the
  // request adds (written since the log's previous request). Without it the
  // file gets a full fdatasync.
  std::shared_ptr<Preallocation> preallocation;
  std::uint64_t from = 0;
  std::uint64_t to = 0;

  // A file to fdatasync whole (indexes, directories, sealed segments).
  static FlushTarget whole(std::shared_ptr<const FileHandle> file) {
    FlushTarget target;
    target.file = std::move(file);
    return target;
  }
};

}  // namespace conveyor::log
