#pragma once
// SegmentSet: a partition's segments ordered by base offset; the last one is
// the active segment (the only one appended to). Segments are added at the
// back (roll) and removed from the front (retention, DeleteRecords), so a
// vector is enough; lookups binary-search the base offsets.
//
// Not thread-safe: owned by a PartitionLog on one shard.

#include <cstdint>
#include <memory>
#include <vector>

#include "conveyor/log/segment.h"

namespace conveyor::log {

class SegmentSet {
 public:
  using Container = std::vector<std::unique_ptr<Segment>>;

  bool empty() const { return segments_.empty(); }
  std::size_t size() const { return segments_.size(); }
  Segment& active() { return *segments_.back(); }
  const Segment& active() const { return *segments_.back(); }
  Segment& front() { return *segments_.front(); }
  const Segment& front() const { return *segments_.front(); }
  Segment& at(std::size_t i) { return *segments_[i]; }
  const Segment& at(std::size_t i) const { return *segments_[i]; }

  // Base offsets must increase.
  void push_back(std::unique_ptr<Segment> segment) { segments_.push_back(std::move(segment)); }
  std::unique_ptr<Segment> pop_front();
  std::unique_ptr<Segment> pop_back();
  // Compaction: removes the `count` segments from index `first` and puts
  // `segment` (when not null) in their place; returns the removed ones.
  Container replace(std::size_t first, std::size_t count, std::unique_ptr<Segment> segment);

  // Index of the segment whose range holds `offset` (the last base <= offset);
  // size() when `offset` is below the first base.
  std::size_t index_of(std::int64_t offset) const;

  Container::iterator begin() { return segments_.begin(); }
  Container::iterator end() { return segments_.end(); }
  Container::const_iterator begin() const { return segments_.begin(); }
  Container::const_iterator end() const { return segments_.end(); }

 private:
  Container segments_;
};

}  // namespace conveyor::log
