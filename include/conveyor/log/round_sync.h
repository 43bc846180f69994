#pragma once
// sync_round: makes the files of one group-commit round durable, with as few
// device cache flushes as the files allow (FlushScheduler's round; the rules
// are in flush_scheduler.h, "Overwrites").
//
//   1. merge the targets per file (several requests name the same segment);
//   2. overwrites — a Preallocation whose durable blocks cover the merged
//      range — are written back with sync_file_range: all started, then all
//      but one per device waited for;
//   3. fdatasync, concurrently: every file that needs its metadata (no
//      preallocation, a range past the durable blocks, indexes, directories)
//      and the one overwrite kept per device, whose cache flush comes after
//      the device completed the others' writes. When every overwrite on a
//      device still has zeros pending (their fdatasync would write those
//      too), the device's FlushCarriers file carries the flush instead.
//
// Returns false when anything failed; a Preallocation involved is then marked
// failed, so later rounds fail too instead of trusting pages the kernel may
// have dropped.

#include <cstdint>
#include <span>

#include "conveyor/log/flush_carriers.h"
#include "conveyor/log/flush_target.h"
#include "conveyor/log/parallel_sync.h"

namespace conveyor::log {

struct RoundSyncCounts {
  std::uint64_t fdatasyncs = 0;
  std::uint64_t overwrites = 0;  // ranges made durable by another file's flush
};

bool sync_round(std::span<const FlushTarget* const> targets, ParallelSync& syncer,
                FlushCarriers& carriers, RoundSyncCounts& counts);

}  // namespace conveyor::log
