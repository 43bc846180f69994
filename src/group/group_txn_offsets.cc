// Transactional offset commits (TxnOffsetCommit): the coordinator appends
// them to the group's __consumer_offsets partition as the producer's
// transactional batch, then holds them as pending. The transaction's marker
// on that partition (broker::write_txn_markers, which tells the broker's
// marker listener) commits them into the group's offsets or drops them, so a
// consume-transform-produce loop's offsets move only if its output commits.
// Loading replays the same in log order (GroupCoordinator::load).

#include "conveyor/group/group_coordinator.h"

namespace conveyor::group {

void GroupCoordinator::complete_txn_offsets(std::int32_t partition, std::int64_t producer_id, bool commit) {
  auto it = pending_txn_offsets_.find(producer_id);
  if (it == pending_txn_offsets_.end()) return;
  auto& pending = it->second;
  for (const auto& p : pending) {
    if (p.partition != partition || !commit) continue;
    Group* group = find_group(p.group_id);
    if (group == nullptr) group = &create_group(p.group_id);
    // A plain commit appended after the transactional one stays (Kafka keeps
    // the later record).
    auto& slot = group->offsets[p.tp];
    if (slot.sequence < p.commit_sequence) slot = CommittedOffset{p.value, p.commit_sequence};
  }
  std::erase_if(pending, [partition](const PendingTxnOffset& p) { return p.partition == partition; });
  if (pending.empty()) pending_txn_offsets_.erase(it);
}

void GroupCoordinator::forget_pending_txn_offsets(std::int64_t producer_id, std::uint64_t commit_sequence) {
  auto it = pending_txn_offsets_.find(producer_id);
  if (it == pending_txn_offsets_.end()) return;
  std::erase_if(it->second, [commit_sequence](const PendingTxnOffset& p) { return p.commit_sequence == commit_sequence; });
  if (it->second.empty()) pending_txn_offsets_.erase(it);
}

bool GroupCoordinator::has_pending_txn_offset(const std::string& group_id, const TopicPartition& tp) const {
  for (const auto& [producer_id, pending] : pending_txn_offsets_) {
    for (const auto& p : pending) {
      if (p.group_id == group_id && p.tp == tp) return true;
    }
  }
  return false;
}

}  // namespace conveyor::group
