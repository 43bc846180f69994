#pragma once
// Producer state snapshots: `<offset>.snapshot` files in a partition
// directory (Kafka's naming) holding the ProducerStateTable built from every
// batch below `offset`. Written when a segment rolls and when the log closes,
// so that opening a log replays only the batches after the newest snapshot.
//
// Layout (Kafka's version 1 snapshot, big-endian):
//
//   int16   version (1)
//   uint32  CRC32C of everything after this field
//   int32   entry count, then per entry:
//     int64 producer id | int16 epoch | int32 last sequence | int64 last offset |
//     int32 offset delta (last - first offset of the batch) | int64 timestamp |
//     int32 coordinator epoch | int64 current transaction first offset (-1: none)
//
// Kafka writes one entry per producer (its last batch). We write one entry
// per kept batch, oldest first, so that after a clean restart a retry of any
// of a producer's last five batches is still recognised; a reader that keeps
// only the last entry per producer (Kafka's) sees the same last batch.
//
// A snapshot is written to `.tmp` and renamed. It is fsync'd only on close:
// one lost or torn by a crash fails its CRC and is ignored — the log tail is
// replayed from an older snapshot instead, which is slower but never wrong.

#include <cstdint>
#include <filesystem>
#include <optional>

#include "conveyor/base/result.h"
#include "conveyor/log/log_error.h"
#include "conveyor/log/producer_state.h"

namespace conveyor::log {

Result<void, LogError> write_producer_snapshot(const std::filesystem::path& dir, std::int64_t offset,
                                               const ProducerStateTable& table, bool sync);
// nullopt when the file is missing, short, or fails its CRC or layout checks.
std::optional<ProducerStateTable> read_producer_snapshot(const std::filesystem::path& file);

}  // namespace conveyor::log
