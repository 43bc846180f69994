#pragma once
// LogFiles: every file-name rule of a partition directory, in one place
// (Kafka's LogFileUtils). A partition directory `<log.dir>/<topic>-<partition>`
// holds:
//
//   00000000000000000042.log        record batches, base offset 42 (20 digits)
//   00000000000000000042.index      sparse offset index of that segment
//   00000000000000000042.timeindex  time index of that segment
//   00000000000000000042.snapshot   producer state of the batches below offset 42
//   00000000000000000042.txnindex   aborted transactions whose ABORT marker is in segment 42
//   partition.checkpoint            recovery point and log start offset
//   .clean_shutdown                 present only while the log is closed cleanly
//
// Compaction writes `<base>.log.cleaned`, renames it to `<base>.log.swap`
// once it is complete and durable (the commit point), deletes the segments it
// replaces and renames the swap file to `<base>.log`. Recovery completes a
// `.log.swap` (see cleaner::complete_swaps) and deletes the other leftovers:
// `*.deleted`, `*.cleaned`, other `*.swap` and `*.tmp` (a checkpoint being written).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace conveyor::log::files {

inline constexpr std::string_view kLogSuffix = ".log";
inline constexpr std::string_view kIndexSuffix = ".index";
inline constexpr std::string_view kTimeIndexSuffix = ".timeindex";
inline constexpr std::string_view kSnapshotSuffix = ".snapshot";
inline constexpr std::string_view kTxnIndexSuffix = ".txnindex";
inline constexpr std::string_view kDeletedSuffix = ".deleted";
inline constexpr std::string_view kCleanedSuffix = ".cleaned";
inline constexpr std::string_view kSwapSuffix = ".swap";
inline constexpr std::string_view kTempSuffix = ".tmp";
inline constexpr std::string_view kCheckpointName = "partition.checkpoint";
inline constexpr std::string_view kCleanShutdownName = ".clean_shutdown";

// "00000000000000000042" for 42.
std::string offset_stem(std::int64_t base_offset);

std::filesystem::path log_path(const std::filesystem::path& dir, std::int64_t base_offset);
std::filesystem::path index_path(const std::filesystem::path& dir, std::int64_t base_offset);
std::filesystem::path time_index_path(const std::filesystem::path& dir, std::int64_t base_offset);
std::filesystem::path snapshot_path(const std::filesystem::path& dir, std::int64_t offset);
std::filesystem::path txn_index_path(const std::filesystem::path& dir, std::int64_t base_offset);
std::filesystem::path checkpoint_path(const std::filesystem::path& dir);
// `<base>.log.cleaned` and `<base>.log.swap`: a compacted segment being written / being swapped in.
std::filesystem::path cleaned_log_path(const std::filesystem::path& dir, std::int64_t base_offset);
std::filesystem::path swap_log_path(const std::filesystem::path& dir, std::int64_t base_offset);
inline constexpr std::string_view kSwapLogSuffix = ".log.swap";
std::filesystem::path clean_shutdown_path(const std::filesystem::path& dir);

// The base offset of a segment file named `<20 digits><suffix>`, else nullopt.
std::optional<std::int64_t> parse_base_offset(std::string_view file_name, std::string_view suffix);

// True for leftovers recovery removes (see above).
bool is_leftover(std::string_view file_name);

// Partition directory names: "<topic>-<partition>". Topic names may contain
// '-', so the partition is what follows the last one.
std::string partition_dir_name(std::string_view topic, std::int32_t partition);
struct TopicPartition {
  std::string topic;
  std::int32_t partition = 0;
};
std::optional<TopicPartition> parse_partition_dir_name(std::string_view name);

}  // namespace conveyor::log::files
