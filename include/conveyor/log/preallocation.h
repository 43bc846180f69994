#pragma once
// Preallocation: the part of an active segment file written ahead of its data
// (zeros), shared between the shard that owns the segment and the
// FlushScheduler that makes the file durable.
//
// Why: on ext4 and XFS an fdatasync after an append that grows the file must
// also commit the new block allocation and size (a journal commit: extra
// writes and a second cache flush). When the appended bytes overwrite blocks
// that were written and made durable earlier, the data write alone is enough,
// and the data of several files can share one device cache flush. Measured on
// this project's virtio disk: a group-commit round over three partitions took
// 0.36 ms with appends and 0.13 ms as overwrites with one shared flush
// (docs/benchmarks.md, "Preallocated segments").
//
//   file:  [ data ........ | zeros (written, durable) | zeros (written, not yet durable) ]
//          0            size()                    durable()                       zeroed()
//
// The shard asks for zeros (want_zeros_to) and the FlushScheduler's
// background thread writes them (write_ahead), a slice at a time under the
// mutex: writing a few MiB into fresh page-cache pages takes milliseconds
// (about 9 ms per 4 MiB on this project's VM, where every newly allocated page
// costs the host a fault), which the shard must not spend while its clients
// wait. The two writers never overlap: the shard appends without the lock
// only below zeroed(), which nothing lowers but the shard's own truncation;
// an append that reaches past zeroed() takes the mutex for its write and
// records its end, and zeros are only ever written at or past both marks.
// zeroed() then means "written (zeros or data) up to here"; an fdatasync of
// the file that started after that makes [0, zeroed) durable as allocated
// blocks (begin_sync/end_sync). A flush of a data range [from, to) may skip
// the metadata only when to <= durable().
//
// Truncation (a sealed segment trims its zeros; a failed append cuts the file
// back) lowers both marks and bumps a generation, so an fdatasync that began
// before it cannot raise durable() past the new end. A failed sync marks the
// file failed for good: after a failed fdatasync the kernel may have dropped
// dirty pages of *any* range of the file, and a later sync through the same
// descriptor need not report it again.
//
// Thread-safety: every method may be called from any thread (a small mutex;
// an append inside the zeros never takes it, only zeroing, appends past the
// zeros, truncation and syncs do).

#include <sys/types.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "conveyor/base/file_handle.h"

namespace conveyor::log {

class Preallocation {
 public:
  // What an fdatasync of the file can vouch for once it has succeeded.
  struct SyncTicket {
    std::uint64_t zeroed = 0;
    std::uint64_t generation = 0;
  };

  // `device` identifies the block device (st_dev): one cache flush covers
  // every file on it.
  // Nothing counts as durable until an fdatasync that began after the zeros
  // were written has completed (the data before them may be just appended).
  // `written`: the file's bytes so far (its data), which no zeros may overwrite.
  Preallocation(std::shared_ptr<const FileHandle> file, dev_t device, std::uint64_t written = 0)
      : file_(std::move(file)), device_(device), zeroed_(written), wanted_(written) {}

  const std::shared_ptr<const FileHandle>& file() const { return file_; }
  dev_t device() const { return device_; }

  // Shard: asks for zeros up to `end`; true when that is more than asked
  // before (then hand this to FlushScheduler::instantiate).
  bool want_zeros_to(std::uint64_t end);
  // Without the lock: the shard checks this on every flush request, while
  // the flusher's thread may hold the mutex for a slice of zeros.
  std::uint64_t zeros_wanted() const { return wanted_.load(std::memory_order_acquire); }
  // Shard: writes data ending at `end` with `write()` (false on failure),
  // without the lock when it lies inside the zeros already written.
  template <class Write>
  bool write_data(std::uint64_t end, Write&& write);
  // Shard: the file was cut back to `end`; no zeros are written past it
  // until asked again.
  void truncated_to(std::uint64_t end);

  // Flusher: writes the zeros wanted, a slice at a time; false when a write
  // failed (no more zeros are written then: preallocation is only a speed-up).
  bool write_ahead();
  bool zeroing_failed() const { return zeroing_failed_.load(std::memory_order_acquire); }
  // Zeros (or data) are in the page cache up to `end` (tests; write_ahead
  // sets the mark itself, under the lock it already holds).
  void zeroed_to(std::uint64_t end);

  // Flusher: bytes below this lie in blocks whose allocation is durable.
  std::uint64_t durable() const { return durable_.load(std::memory_order_acquire); }
  std::uint64_t zeroed() const;
  // Zeros written that no completed fdatasync covers yet.
  bool pending() const { return zeroed() > durable(); }
  bool failed() const { return failed_.load(std::memory_order_acquire); }

  // Flusher: call before an fdatasync of the file, and after it with its outcome.
  SyncTicket begin_sync() const;
  void end_sync(const SyncTicket& ticket, bool ok);
  void mark_failed() { failed_.store(true, std::memory_order_release); }

 private:
  std::shared_ptr<const FileHandle> file_;
  dev_t device_;
  mutable std::mutex mutex_;
  // zeroed_ and wanted_ are written only under mutex_; the shard reads
  // them without it (appends, flush requests).
  std::atomic<std::uint64_t> zeroed_{0};
  std::atomic<std::uint64_t> wanted_{0};
  std::uint64_t data_end_ = 0;    // guarded by mutex_: appends past zeroed_ end here
  std::uint64_t generation_ = 0;  // guarded by mutex_
  std::atomic<std::uint64_t> durable_{0};
  std::atomic<bool> failed_{false};
  std::atomic<bool> zeroing_failed_{false};
};

template <class Write>
bool Preallocation::write_data(std::uint64_t end, Write&& write) {
  if (end <= zeroed_.load(std::memory_order_acquire)) return write();
  std::lock_guard lock(mutex_);
  const bool ok = write();
  // Even a failed write may have left bytes up to `end`: no zeros below it
  // until the shard cuts the file back.
  data_end_ = std::max(data_end_, end);
  return ok;
}

}  // namespace conveyor::log
