#include "conveyor/log/log_files.h"

#include <charconv>
#include <cstdio>

namespace conveyor::log::files {

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::filesystem::path segment_file(const std::filesystem::path& dir, std::int64_t base,
                                   std::string_view suffix) {
  std::string name = offset_stem(base);
  name.append(suffix);
  return dir / name;
}

}  // namespace

std::string offset_stem(std::int64_t base_offset) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020lld", static_cast<long long>(base_offset));
  return buf;
}

std::filesystem::path log_path(const std::filesystem::path& dir, std::int64_t base_offset) {
  return segment_file(dir, base_offset, kLogSuffix);
}
std::filesystem::path index_path(const std::filesystem::path& dir, std::int64_t base_offset) {
  return segment_file(dir, base_offset, kIndexSuffix);
}
std::filesystem::path time_index_path(const std::filesystem::path& dir, std::int64_t base_offset) {
  return segment_file(dir, base_offset, kTimeIndexSuffix);
}
std::filesystem::path snapshot_path(const std::filesystem::path& dir, std::int64_t offset) {
  return segment_file(dir, offset, kSnapshotSuffix);
}
std::filesystem::path txn_index_path(const std::filesystem::path& dir, std::int64_t base_offset) {
  return segment_file(dir, base_offset, kTxnIndexSuffix);
}
std::filesystem::path cleaned_log_path(const std::filesystem::path& dir, std::int64_t base_offset) {
  return segment_file(dir, base_offset, std::string(kLogSuffix) + std::string(kCleanedSuffix));
}
std::filesystem::path swap_log_path(const std::filesystem::path& dir, std::int64_t base_offset) {
  return segment_file(dir, base_offset, kSwapLogSuffix);
}
std::filesystem::path checkpoint_path(const std::filesystem::path& dir) {
  return dir / std::string(kCheckpointName);
}
std::filesystem::path clean_shutdown_path(const std::filesystem::path& dir) {
  return dir / std::string(kCleanShutdownName);
}

std::optional<std::int64_t> parse_base_offset(std::string_view file_name, std::string_view suffix) {
  constexpr std::size_t kDigits = 20;
  if (file_name.size() != kDigits + suffix.size() || !ends_with(file_name, suffix)) return std::nullopt;
  const std::string_view digits = file_name.substr(0, kDigits);
  std::int64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc{} || ptr != digits.data() + digits.size()) return std::nullopt;
  return value;
}

bool is_leftover(std::string_view file_name) {
  return ends_with(file_name, kDeletedSuffix) || ends_with(file_name, kCleanedSuffix) ||
         ends_with(file_name, kSwapSuffix) || ends_with(file_name, kTempSuffix);
}

std::string partition_dir_name(std::string_view topic, std::int32_t partition) {
  std::string name(topic);
  name += '-';
  name += std::to_string(partition);
  return name;
}

std::optional<TopicPartition> parse_partition_dir_name(std::string_view name) {
  const auto dash = name.rfind('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == name.size()) return std::nullopt;
  const std::string_view digits = name.substr(dash + 1);
  std::int32_t partition = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), partition);
  if (ec != std::errc{} || ptr != digits.data() + digits.size() || partition < 0) return std::nullopt;
  return TopicPartition{std::string(name.substr(0, dash)), partition};
}

}  // namespace conveyor::log::files
