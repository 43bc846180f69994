#pragma once
// LogManager: the broker's log.dirs. It lists the partition directories
// (`<log.dir>/<topic>-<partition>`) present at start, places a new partition
// in the log dir holding the fewest, opens PartitionLogs there, and runs
// retention over logs on request. It does not own the logs: each shard's
// partition table owns the PartitionLogs of its partitions.
//
// Threading: every method may be called from any thread (shards open their
// partitions concurrently); one mutex guards the directory bookkeeping, never
// an append or a read. Lifecycle: built in main.cc after the FlushScheduler,
// start() once, outlives every log it opened.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "conveyor/base/result.h"
#include "conveyor/log/log_config.h"
#include "conveyor/log/log_error.h"
#include "conveyor/log/partition_log.h"

namespace conveyor::log {

class FlushScheduler;

class LogManager {
 public:
  struct PartitionDir {
    std::string topic;
    std::int32_t partition = 0;
    std::filesystem::path dir;
  };

  LogManager(std::vector<std::filesystem::path> log_dirs, FlushScheduler* flusher);

  // Creates missing log dirs, lists partition directories, and deletes
  // directories left by an unfinished topic deletion (`*-delete`).
  Result<void, LogError> start();

  // Partition directories found at start or created since, by name.
  std::vector<PartitionDir> partitions() const;

  // Opens the partition's log, creating its directory (in the log dir with the
  // fewest partitions) when it has none.
  Result<std::unique_ptr<PartitionLog>, LogError> open(std::string_view topic, std::int32_t partition,
                                                       const LogConfig& config);

  // DeleteTopics: renames the partition directory to `<name>.<n>-delete`
  // (so a restart finishes the job), then removes it. The caller has closed
  // and dropped the log first.
  Result<void, LogError> remove(std::string_view topic, std::int32_t partition);

  // One retention pass over `logs`; returns the number of segments deleted.
  // (Compaction runs on its own, broker/log_maintenance.h.)
  static std::size_t enforce_retention(std::span<PartitionLog* const> logs, std::int64_t now_ms);

  const std::vector<std::filesystem::path>& log_dirs() const { return log_dirs_; }
  FlushScheduler* flusher() const { return flusher_; }

 private:
  std::vector<std::filesystem::path> log_dirs_;
  FlushScheduler* flusher_;
  mutable std::mutex mutex_;
  std::map<std::string, PartitionDir> partitions_;  // by directory name
  std::uint64_t deletions_ = 0;
};

}  // namespace conveyor::log
