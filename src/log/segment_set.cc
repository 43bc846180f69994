#include "conveyor/log/segment_set.h"

#include <algorithm>

namespace conveyor::log {

std::unique_ptr<Segment> SegmentSet::pop_front() {
  auto segment = std::move(segments_.front());
  segments_.erase(segments_.begin());
  return segment;
}

std::unique_ptr<Segment> SegmentSet::pop_back() {
  auto segment = std::move(segments_.back());
  segments_.pop_back();
  return segment;
}

SegmentSet::Container SegmentSet::replace(std::size_t first, std::size_t count, std::unique_ptr<Segment> segment) {
  const auto from = segments_.begin() + static_cast<std::ptrdiff_t>(first);
  const auto to = from + static_cast<std::ptrdiff_t>(count);
  Container removed(std::make_move_iterator(from), std::make_move_iterator(to));
  const auto at = segments_.erase(from, to);
  if (segment) segments_.insert(at, std::move(segment));
  return removed;
}

std::size_t SegmentSet::index_of(std::int64_t offset) const {
  const auto it = std::upper_bound(segments_.begin(), segments_.end(), offset,
                                   [](std::int64_t o, const auto& s) { return o < s->base_offset(); });
  if (it == segments_.begin()) return segments_.size();
  return static_cast<std::size_t>(it - segments_.begin()) - 1;
}

}  // namespace conveyor::log
