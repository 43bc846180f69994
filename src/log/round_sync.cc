#include "conveyor/log/round_sync.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "conveyor/log/file_io.h"

namespace conveyor::log {

namespace {

// One file of the round, its targets merged.
struct RoundFile {
  const FileHandle* file = nullptr;
  Preallocation* preallocation = nullptr;  // null: some target wants a full fdatasync
  std::uint64_t from = UINT64_MAX;
  std::uint64_t to = 0;
  bool full = false;  // fdatasync (metadata too), rather than a write-back
  std::optional<Preallocation::SyncTicket> ticket;
};

std::vector<RoundFile> merge(std::span<const FlushTarget* const> targets) {
  std::vector<const FlushTarget*> sorted;
  sorted.reserve(targets.size());
  for (const FlushTarget* target : targets) {
    if (target->file && target->file->valid()) sorted.push_back(target);
  }
  std::sort(sorted.begin(), sorted.end(), [](const FlushTarget* a, const FlushTarget* b) {
    return a->file.get() < b->file.get();
  });
  std::vector<RoundFile> files;
  for (const FlushTarget* target : sorted) {
    if (files.empty() || files.back().file != target->file.get()) {
      RoundFile& f = files.emplace_back();
      f.file = target->file.get();
      f.preallocation = target->preallocation.get();
    }
    RoundFile& f = files.back();
    if (target->preallocation.get() != f.preallocation) {
      f.preallocation = nullptr;  // named without (or with another) preallocation: sync it whole
    }
    f.from = std::min(f.from, target->from);
    f.to = std::max(f.to, target->to);
  }
  for (RoundFile& f : files) {
    f.full = f.preallocation == nullptr || f.from >= f.to || f.to > f.preallocation->durable();
  }
  return files;
}

}  // namespace

bool sync_round(std::span<const FlushTarget* const> targets, ParallelSync& syncer,
                FlushCarriers& carriers, RoundSyncCounts& counts) {
  std::vector<RoundFile> files = merge(targets);
  bool ok = true;
  for (const RoundFile& f : files) {
    if (f.preallocation != nullptr && f.preallocation->failed()) ok = false;
  }

  // Overwrites: start every write-back and pick per device the file whose
  // fdatasync will carry the flush, preferably one with no zeros pending.
  std::vector<RoundFile*> chosen;
  for (RoundFile& f : files) {
    if (f.full) continue;
    if (!io::start_writeback(f.file->fd(), f.from, f.to)) {
      f.preallocation->mark_failed();
      ok = false;
    }
    auto same_device = std::find_if(chosen.begin(), chosen.end(), [&](const RoundFile* c) {
      return c->preallocation->device() == f.preallocation->device();
    });
    if (same_device == chosen.end()) {
      chosen.push_back(&f);
    } else if ((*same_device)->preallocation->pending() && !f.preallocation->pending()) {
      *same_device = &f;
    }
  }
  std::vector<int> fds;
  for (RoundFile* f : chosen) {
    const FileHandle* carrier = nullptr;
    if (f->preallocation->pending())
      carrier = carriers.prepare(f->preallocation->device(), f->file->path());
    if (carrier != nullptr) {
      fds.push_back(carrier->fd());
    } else {
      f->full = true;
    }
  }
  // Every other overwrite must be on the device before the flush is issued.
  for (RoundFile& f : files) {
    if (f.full) continue;
    if (!io::wait_writeback(f.file->fd(), f.from, f.to)) {
      f.preallocation->mark_failed();
      ok = false;
    }
    ++counts.overwrites;
  }

  // fdatasync, concurrently. A preallocated file synced whole also makes the
  // zeros written ahead of it durable (its ticket).
  for (RoundFile& f : files) {
    if (!f.full) continue;
    if (f.preallocation != nullptr) f.ticket = f.preallocation->begin_sync();
    fds.push_back(f.file->fd());
  }
  const bool synced = syncer.sync_all(fds);
  counts.fdatasyncs += fds.size();
  for (RoundFile& f : files) {
    // Which descriptor failed is not known: every preallocated file of a
    // failed round is suspect.
    if (f.preallocation != nullptr && (f.ticket || !synced)) {
      f.preallocation->end_sync(f.ticket.value_or(Preallocation::SyncTicket{}),
                                synced && f.ticket.has_value());
    }
  }
  return ok && synced;
}

}  // namespace conveyor::log
