// The offsets half of the coordinator: OffsetCommit, OffsetFetch,
// DescribeGroups, ListGroups, DeleteGroups, OffsetDelete, offset expiry, and
// rebuilding state from a __consumer_offsets partition's records.

#include <spdlog/spdlog.h>

#include <algorithm>

#include "conveyor/group/group_coordinator.h"

namespace conveyor::group {

namespace asio = boost::asio;
using protocol::ErrorCode;

// --- OffsetCommit --------------------------------------------------------------

asio::awaitable<std::vector<ErrorCode>> GroupCoordinator::commit(CommitRequest request) {
  const std::size_t n = request.items.size();
  auto all = [n](ErrorCode error) { return std::vector<ErrorCode>(n, error); };
  if (auto error = check_group(request.group_id); error != ErrorCode::none) co_return all(error);
  Group* group = find_group(request.group_id);
  const bool as_member = request.generation >= 0 || !request.member_id.empty() || request.group_instance_id;
  if (group == nullptr) {
    // A consumer that assigns itself partitions stores offsets in a group
    // with no members (generation -1).
    if (as_member) co_return all(request.generation >= 0 ? ErrorCode::illegal_generation : ErrorCode::unknown_member_id);
    group = &create_group(request.group_id);
  }
  if (group->state == GroupState::dead) co_return all(ErrorCode::coordinator_not_available);
  if (as_member) {
    if (auto error = validate_member(*group, request.member_id, request.group_instance_id); error != ErrorCode::none) {
      co_return all(error);
    }
    if (request.generation != group->generation) co_return all(ErrorCode::illegal_generation);
    if (group->state == GroupState::completing_rebalance) co_return all(ErrorCode::rebalance_in_progress);
    Member& member = *group->find(request.member_id);
    member.heartbeat_deadline = Clock::now() + std::chrono::milliseconds(member.session_timeout_ms);
  } else if (group->state != GroupState::empty && !request.txn) {
    // Only members commit for a group with members (transactional commits
    // before v3 carry no member, as in Kafka).
    co_return all(ErrorCode::unknown_member_id);
  }
  if (n == 0) co_return all(ErrorCode::none);

  std::vector<StoredRecord> records;
  records.reserve(n);
  for (const auto& item : request.items) {
    records.push_back({encode_key(OffsetKey{request.group_id, item.topic, item.partition}), encode_value(item.value)});
  }
  const std::uint64_t sequence = next_sequence_++;
  const std::int32_t partition = group->partition;
  if (request.txn) {
    // Pending before the append: the store appends before it first suspends
    // (to wait for the fsync), and a marker for this producer written during
    // that wait must find these offsets to commit or drop them. Visible once
    // the transaction commits (complete_txn_offsets).
    auto& pending = pending_txn_offsets_[request.txn->producer_id];
    for (const auto& item : request.items) {
      pending.push_back(
          PendingTxnOffset{request.group_id, {item.topic, item.partition}, item.value, partition, sequence});
    }
    const auto error = co_await store_.append(partition, std::move(records), request.txn);
    if (error != ErrorCode::none) forget_pending_txn_offsets(request.txn->producer_id, sequence);
    co_return all(error);
  }
  const auto error = co_await store_.append(partition, std::move(records), request.txn);
  if (error != ErrorCode::none) co_return all(error);
  // The group may have been deleted while the append was in flight.
  if (Group* now = find_group(request.group_id); now != nullptr) {
    for (const auto& item : request.items) {
      auto& slot = now->offsets[{item.topic, item.partition}];
      if (slot.sequence < sequence) slot = CommittedOffset{item.value, sequence};
    }
  }
  co_return all(ErrorCode::none);
}

// --- OffsetFetch ---------------------------------------------------------------

FetchResult GroupCoordinator::fetch(const std::string& group_id,
                                    const std::optional<std::vector<TopicPartition>>& partitions) {
  FetchResult result;
  if (auto error = check_group(group_id); error != ErrorCode::none) {
    result.error = error;
    return result;
  }
  Group* group = find_group(group_id);
  if (!partitions) {
    if (group == nullptr) return result;
    for (const auto& [tp, committed] : group->offsets) {
      result.offsets.push_back(
          {tp.first, tp.second, committed.value.offset, committed.value.leader_epoch, committed.value.metadata});
    }
    return result;
  }
  for (const auto& tp : *partitions) {
    FetchedOffset out{tp.first, tp.second, -1, -1, ""};
    out.unstable = has_pending_txn_offset(group_id, tp);
    if (group != nullptr) {
      if (auto it = group->offsets.find(tp); it != group->offsets.end()) {
        out.offset = it->second.value.offset;
        out.leader_epoch = it->second.value.leader_epoch;
        out.metadata = it->second.value.metadata;
      }
    }
    result.offsets.push_back(std::move(out));
  }
  return result;
}

// --- DescribeGroups and ListGroups -----------------------------------------------

GroupDescription GroupCoordinator::describe(const std::string& group_id) {
  GroupDescription out;
  out.group_id = group_id;
  if (auto error = check_group(group_id); error != ErrorCode::none) {
    out.error = error;
    return out;
  }
  Group* group = find_group(group_id);
  if (group == nullptr) {
    out.state = std::string(to_string(GroupState::dead));
    return out;
  }
  out.state = std::string(to_string(group->state));
  out.protocol_type = group->protocol_type;
  const bool stable = group->state == GroupState::stable;
  if (stable) out.protocol = group->protocol.value_or("");
  for (const auto& m : group->members) {
    DescribedMember d{m->member_id, m->group_instance_id, m->client_id, m->client_host, {}, {}};
    if (stable && group->protocol) {
      if (const Bytes* metadata = m->metadata_for(*group->protocol)) d.metadata = *metadata;
      d.assignment = m->assignment;
    }
    out.members.push_back(std::move(d));
  }
  return out;
}

std::vector<GroupListing> GroupCoordinator::list(const std::vector<GroupState>& states) {
  std::vector<GroupListing> out;
  for (const auto& [id, group] : groups_) {
    auto it = partitions_.find(group->partition);
    if (it == partitions_.end() || it->second != PartitionStatus::loaded) continue;
    if (!states.empty() && std::find(states.begin(), states.end(), group->state) == states.end()) continue;
    out.push_back({id, group->protocol_type, std::string(to_string(group->state))});
  }
  return out;
}

// --- DeleteGroups and OffsetDelete -------------------------------------------------

asio::awaitable<ErrorCode> GroupCoordinator::delete_group(std::string group_id) {
  if (auto error = check_group(group_id); error != ErrorCode::none) co_return error;
  Group* group = find_group(group_id);
  if (group == nullptr || group->state == GroupState::dead) co_return ErrorCode::group_id_not_found;
  if (group->state != GroupState::empty) co_return ErrorCode::non_empty_group;
  std::vector<StoredRecord> records;
  for (const auto& [tp, committed] : group->offsets) {
    records.push_back({encode_key(OffsetKey{group_id, tp.first, tp.second}), std::nullopt});
  }
  records.push_back({encode_key(GroupKey{group_id}), std::nullopt});
  set_state(*group, GroupState::dead);
  const auto error = co_await store_.append(group->partition, std::move(records));
  group = find_group(group_id);
  if (error != ErrorCode::none) {
    if (group != nullptr && group->state == GroupState::dead) set_state(*group, GroupState::empty);
    co_return error;
  }
  groups_.erase(group_id);
  co_return ErrorCode::none;
}

asio::awaitable<std::pair<ErrorCode, std::vector<ErrorCode>>> GroupCoordinator::delete_offsets(
    std::string group_id, std::vector<TopicPartition> partitions) {
  std::vector<ErrorCode> errors(partitions.size(), ErrorCode::none);
  if (auto error = check_group(group_id); error != ErrorCode::none) co_return std::pair{error, errors};
  Group* group = find_group(group_id);
  if (group == nullptr || group->state == GroupState::dead) {
    co_return std::pair{ErrorCode::group_id_not_found, errors};
  }
  std::vector<std::string> subscribed;
  if (group->state != GroupState::empty) {
    if (group->protocol_type != "consumer") co_return std::pair{ErrorCode::non_empty_group, errors};
    subscribed = group->subscribed_topics();
  }
  std::vector<StoredRecord> records;
  std::vector<TopicPartition> deleted;
  for (std::size_t i = 0; i < partitions.size(); ++i) {
    const auto& tp = partitions[i];
    if (std::find(subscribed.begin(), subscribed.end(), tp.first) != subscribed.end()) {
      errors[i] = ErrorCode::group_subscribed_to_topic;
      continue;
    }
    if (group->offsets.contains(tp)) {
      records.push_back({encode_key(OffsetKey{group_id, tp.first, tp.second}), std::nullopt});
      deleted.push_back(tp);
    }
  }
  if (!records.empty()) {
    const auto error = co_await store_.append(group->partition, std::move(records));
    if (error != ErrorCode::none) co_return std::pair{error, errors};
    if (Group* now = find_group(group_id)) {
      for (const auto& tp : deleted) now->offsets.erase(tp);
    }
  }
  co_return std::pair{ErrorCode::none, errors};
}

// --- Expiry ----------------------------------------------------------------------

asio::awaitable<void> GroupCoordinator::expire_offsets(std::int64_t now_ms) {
  const std::int64_t retention_ms = config_.offsets_retention.count();
  std::vector<std::string> candidates;
  for (const auto& [id, group] : groups_) {
    if (group->state == GroupState::empty) candidates.push_back(id);
  }
  for (const auto& id : candidates) {
    Group* group = find_group(id);
    if (group == nullptr || group->state != GroupState::empty) continue;
    if (check_group(id) != ErrorCode::none) continue;
    // Kafka (KIP-211): offsets of an empty group expire `retention` after the
    // group became empty; for a group that never had members, after the commit.
    std::vector<TopicPartition> expired;
    for (const auto& [tp, committed] : group->offsets) {
      const std::int64_t base = group->protocol_type.empty()
                                    ? committed.value.commit_timestamp
                                    : std::max(group->state_timestamp_ms, committed.value.commit_timestamp);
      if (base + retention_ms <= now_ms) expired.push_back(tp);
    }
    const bool drop_group = expired.size() == group->offsets.size();
    if (expired.empty() && !drop_group) continue;
    std::vector<StoredRecord> records;
    for (const auto& tp : expired) records.push_back({encode_key(OffsetKey{id, tp.first, tp.second}), std::nullopt});
    if (drop_group) records.push_back({encode_key(GroupKey{id}), std::nullopt});
    const auto error = co_await store_.append(group->partition, std::move(records));
    if (error != ErrorCode::none) continue;
    group = find_group(id);
    if (group == nullptr) continue;
    for (const auto& tp : expired) group->offsets.erase(tp);
    if (drop_group && group->state == GroupState::empty && group->offsets.empty()) groups_.erase(id);
    spdlog::info("group {}: {} expired offsets removed{}", id, expired.size(), drop_group ? ", group removed" : "");
  }
}

// --- Loading -----------------------------------------------------------------------

void GroupCoordinator::begin_loading(std::int32_t partition) { partitions_[partition] = PartitionStatus::loading; }

void GroupCoordinator::load(std::int32_t partition, const std::vector<LoadedRecord>& records) {
  std::unordered_map<std::string, std::map<TopicPartition, OffsetValue>> offsets;
  std::unordered_map<std::string, std::optional<GroupValue>> metadata;
  // Transactional offsets by producer, until their marker (in log order).
  std::unordered_map<std::int64_t, std::vector<PendingTxnOffset>> pending;
  for (const auto& record : records) {
    if (record.marker_commit) {
      auto it = pending.find(record.producer_id);
      if (it == pending.end()) continue;
      if (*record.marker_commit) {
        for (auto& p : it->second) offsets[p.group_id][p.tp] = p.value;
      }
      pending.erase(it);
      continue;
    }
    auto key = decode_key(record.key);
    if (!key) continue;
    if (auto* offset_key = std::get_if<OffsetKey>(&*key)) {
      TopicPartition tp{offset_key->topic, offset_key->partition};
      std::optional<OffsetValue> value;
      if (record.value) value = decode_offset_value(*record.value);
      if (record.producer_id >= 0) {
        if (value) pending[record.producer_id].push_back(PendingTxnOffset{offset_key->group, tp, *value, partition});
        continue;
      }
      if (value) {
        offsets[offset_key->group][tp] = *value;
      } else {
        offsets[offset_key->group].erase(tp);
      }
    } else {
      const auto& group_key = std::get<GroupKey>(*key);
      metadata[group_key.group] = record.value ? decode_group_value(*record.value) : std::nullopt;
    }
  }
  const auto now = Clock::now();
  std::size_t loaded = 0;
  auto materialize = [&](const std::string& id) -> Group& {
    if (Group* existing = find_group(id)) return *existing;
    ++loaded;
    return create_group(id);
  };
  for (auto& [id, value] : metadata) {
    if (!value) continue;
    if (offsets_partition_for(id, config_.offsets_partitions) != partition) continue;
    Group& group = materialize(id);
    group.protocol_type = value->protocol_type;
    group.generation = value->generation;
    group.protocol = value->protocol;
    group.leader = value->leader.value_or("");
    group.state_timestamp_ms = value->state_timestamp;
    for (auto& stored : value->members) {
      auto member = std::make_unique<Member>();
      member->member_id = stored.member_id;
      member->group_instance_id = stored.group_instance_id;
      member->client_id = stored.client_id;
      member->client_host = stored.client_host;
      member->rebalance_timeout_ms = stored.rebalance_timeout_ms;
      member->session_timeout_ms = stored.session_timeout_ms;
      if (value->protocol) member->protocols.push_back({*value->protocol, stored.subscription});
      member->assignment = stored.assignment;
      // Members come back alive; they must heartbeat within their session.
      member->heartbeat_deadline = now + std::chrono::milliseconds(stored.session_timeout_ms);
      if (member->group_instance_id) group.static_members[*member->group_instance_id] = member->member_id;
      group.members.push_back(std::move(member));
    }
    group.state = group.members.empty() ? GroupState::empty : GroupState::stable;
  }
  std::uint64_t sequence = next_sequence_++;
  for (auto& [id, by_partition] : offsets) {
    if (by_partition.empty()) continue;
    if (offsets_partition_for(id, config_.offsets_partitions) != partition) continue;
    Group& group = materialize(id);
    for (auto& [tp, value] : by_partition) group.offsets[tp] = CommittedOffset{value, sequence};
  }
  // Transactions still open: their markers will come (or the transaction
  // coordinator aborts them).
  // After the offsets just loaded: their marker, when it comes, wins.
  const std::uint64_t pending_sequence = next_sequence_++;
  for (auto& [producer_id, offsets_of] : pending) {
    auto& into = pending_txn_offsets_[producer_id];
    for (auto& p : offsets_of) {
      p.commit_sequence = pending_sequence;
      into.push_back(std::move(p));
    }
  }
  partitions_[partition] = PartitionStatus::loaded;
  spdlog::debug("__consumer_offsets-{}: loaded {} records, {} groups", partition, records.size(), loaded);
}

void GroupCoordinator::unload(std::int32_t partition) {
  partitions_.erase(partition);
  for (auto it = pending_txn_offsets_.begin(); it != pending_txn_offsets_.end();) {
    std::erase_if(it->second, [partition](const PendingTxnOffset& p) { return p.partition == partition; });
    it = it->second.empty() ? pending_txn_offsets_.erase(it) : std::next(it);
  }
  for (auto it = groups_.begin(); it != groups_.end();) {
    if (it->second->partition != partition) {
      ++it;
      continue;
    }
    for (auto& m : it->second->members) {
      if (m->awaiting_join) m->awaiting_join->complete(JoinResult::failed(ErrorCode::not_coordinator));
      if (m->awaiting_sync) m->awaiting_sync->complete(SyncResult::failed(ErrorCode::not_coordinator));
    }
    it = groups_.erase(it);
  }
}

}  // namespace conveyor::group
