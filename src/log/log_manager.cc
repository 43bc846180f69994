#include "conveyor/log/log_manager.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "conveyor/log/file_io.h"
#include "conveyor/log/log_files.h"

namespace conveyor::log {

namespace {
constexpr std::string_view kDeleteSuffix = "-delete";

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
}  // namespace

LogManager::LogManager(std::vector<std::filesystem::path> log_dirs, FlushScheduler* flusher)
    : log_dirs_(std::move(log_dirs)), flusher_(flusher) {}

Result<void, LogError> LogManager::start() {
  std::lock_guard lock(mutex_);
  if (log_dirs_.empty()) return Unexpected{LogError::storage_error};
  for (const auto& log_dir : log_dirs_) {
    std::error_code ec;
    std::filesystem::create_directories(log_dir, ec);
    if (ec) return Unexpected{LogError::storage_error};
    for (const auto& entry : std::filesystem::directory_iterator(log_dir, ec)) {
      if (!entry.is_directory()) continue;
      const std::string name = entry.path().filename().string();
      if (ends_with(name, kDeleteSuffix)) {
        std::error_code rm;
        std::filesystem::remove_all(entry.path(), rm);
        continue;
      }
      const auto parsed = files::parse_partition_dir_name(name);
      if (!parsed) continue;
      if (partitions_.contains(name)) {
        spdlog::warn("partition directory {} exists in two log dirs; using {}", name,
                     partitions_[name].dir.string());
        continue;
      }
      partitions_[name] = PartitionDir{parsed->topic, parsed->partition, entry.path()};
    }
    if (ec) return Unexpected{LogError::storage_error};
  }
  return {};
}

std::vector<LogManager::PartitionDir> LogManager::partitions() const {
  std::lock_guard lock(mutex_);
  std::vector<PartitionDir> out;
  out.reserve(partitions_.size());
  for (const auto& [name, dir] : partitions_) out.push_back(dir);
  return out;
}

Result<std::unique_ptr<PartitionLog>, LogError> LogManager::open(std::string_view topic, std::int32_t partition,
                                                                 const LogConfig& config) {
  std::filesystem::path dir;
  {
    std::lock_guard lock(mutex_);
    if (log_dirs_.empty()) return Unexpected{LogError::storage_error};
    const std::string name = files::partition_dir_name(topic, partition);
    if (const auto it = partitions_.find(name); it != partitions_.end()) {
      dir = it->second.dir;
    } else {
      std::vector<std::size_t> counts(log_dirs_.size(), 0);
      for (const auto& [n, p] : partitions_) {
        for (std::size_t i = 0; i < log_dirs_.size(); ++i) {
          if (p.dir.parent_path() == log_dirs_[i]) ++counts[i];
        }
      }
      const auto least = static_cast<std::size_t>(std::min_element(counts.begin(), counts.end()) - counts.begin());
      dir = log_dirs_[least] / name;
      partitions_[name] = PartitionDir{std::string(topic), partition, dir};
    }
  }
  return PartitionLog::open(dir, config, flusher_);
}

Result<void, LogError> LogManager::remove(std::string_view topic, std::int32_t partition) {
  std::filesystem::path dir, doomed;
  {
    std::lock_guard lock(mutex_);
    const std::string name = files::partition_dir_name(topic, partition);
    const auto it = partitions_.find(name);
    if (it == partitions_.end()) return {};
    dir = it->second.dir;
    partitions_.erase(it);
    doomed = dir.parent_path() / (name + "." + std::to_string(++deletions_) + std::string(kDeleteSuffix));
  }
  std::error_code ec;
  std::filesystem::rename(dir, doomed, ec);
  if (ec) return Unexpected{LogError::storage_error};
  io::sync_dir(doomed.parent_path());
  std::filesystem::remove_all(doomed, ec);
  if (ec) return Unexpected{LogError::storage_error};
  return {};
}

std::size_t LogManager::enforce_retention(std::span<PartitionLog* const> logs, std::int64_t now_ms) {
  std::size_t deleted = 0;
  for (PartitionLog* log : logs) {
    const auto result = log->enforce_retention(now_ms);
    if (result) {
      deleted += *result;
    } else {
      spdlog::error("log {}: retention failed: {}", log->dir().string(), to_string(result.error()));
    }
  }
  return deleted;
}

}  // namespace conveyor::log
