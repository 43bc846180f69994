#pragma once
// FlushCarriers: one small file per device whose only job is to carry a
// device cache flush in a group-commit round (round_sync.h) when every
// overwritten segment on that device still has zeros pending: an fdatasync of
// such a segment would also write those zeros back (megabytes), while
// rewriting one byte of the carrier and fdatasyncing it costs one tiny
// overwrite and the flush.
//
// A carrier is an unnamed file (O_TMPFILE) in the directory of the first file
// of its device the round names, so it needs no cleanup and outlives that
// directory being deleted. Its one block is written and fdatasync'd when it is
// created, so later rewrites are overwrites.
//
// Used by the FlushScheduler's thread only; not thread-safe.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>

#include "conveyor/base/file_handle.h"

namespace conveyor::log {

class FlushCarriers {
 public:
  // The carrier of `device`, created next to `near` on first use; rewritten,
  // so that an fdatasync of it must flush the device. Null when it cannot be
  // created or written (the caller then syncs a real file instead).
  const FileHandle* prepare(dev_t device, const std::filesystem::path& near);

 private:
  std::map<dev_t, std::unique_ptr<FileHandle>>
      carriers_;  // null entry: creation failed, do not retry
  std::uint8_t counter_ = 0;
};

}  // namespace conveyor::log
