#pragma once
// Checkpoint: a small file of named 64-bit values, replaced atomically —
// written to `<name>.tmp`, fsync'd, renamed over `<name>`, then the directory
// fsync'd — so a crash leaves either the old file or the new one, never a mix.
// A partition keeps its recovery point and log start offset in one
// (files::kCheckpointName). Format (text, so an operator can read it):
//
//   conveyor-checkpoint 0          magic word and format version
//   <key> <value>                  one line per value, e.g. "recovery_point 1042"
//
// Not thread-safe: a partition's checkpoint is written only by its owning shard.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "conveyor/base/result.h"
#include "conveyor/log/log_error.h"

namespace conveyor::log {

class Checkpoint {
 public:
  using Values = std::map<std::string, std::int64_t>;

  explicit Checkpoint(std::filesystem::path path) : path_(std::move(path)) {}

  Result<void, LogError> write(const Values& values) const;
  // nullopt when the file is missing or malformed (then recovery assumes
  // nothing and scans from the start).
  std::optional<Values> read() const;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace conveyor::log
