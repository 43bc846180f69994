// The membership half of the coordinator: JoinGroup, SyncGroup, Heartbeat,
// LeaveGroup, session timeouts and the rebalance state machine, following
// Kafka's classic GroupCoordinator. Offsets, loading and deletion are in
// group_offsets.cc.

#include "conveyor/group/group_coordinator.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <cstdio>

#include "conveyor/base/wall_clock.h"
#include "conveyor/protocol/uuid.h"

namespace conveyor::group {

namespace asio = boost::asio;
using protocol::ErrorCode;

GroupCoordinator::GroupCoordinator(CoordinatorConfig config, asio::any_io_executor executor, OffsetsStore& store)
    : config_(config), executor_(std::move(executor)), store_(store) {}

GroupCoordinator::~GroupCoordinator() = default;

void GroupCoordinator::start() {
  running_ = std::make_shared<bool>(true);
  tick_timer_ = std::make_unique<asio::steady_timer>(executor_);
  next_expiry_ = Clock::now() + config_.retention_check_interval;
  asio::co_spawn(executor_, tick_loop(), asio::detached);
}

void GroupCoordinator::stop() {
  if (running_) *running_ = false;
  if (tick_timer_) tick_timer_->cancel();
  for (auto& [id, group] : groups_) {
    for (auto& m : group->members) {
      if (m->awaiting_join) m->awaiting_join->complete(JoinResult::failed(ErrorCode::coordinator_not_available));
      if (m->awaiting_sync) m->awaiting_sync->complete(SyncResult::failed(ErrorCode::coordinator_not_available));
    }
  }
}

asio::awaitable<void> GroupCoordinator::tick_loop() {
  auto running = running_;
  while (*running) {
    tick_timer_->expires_after(config_.tick);
    co_await tick_timer_->async_wait(asio::as_tuple(asio::use_awaitable));
    if (!*running) break;
    const auto now = Clock::now();
    tick(now, wall_clock_ms());
    if (now >= next_expiry_) {
      next_expiry_ = now + config_.retention_check_interval;
      co_await expire_offsets(wall_clock_ms());
    }
  }
}

std::string GroupCoordinator::new_member_id(const std::string& client_id) {
  const auto uuid = protocol::Uuid::random();
  char text[40];
  std::snprintf(text, sizeof text, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(uuid.high >> 32),
                static_cast<unsigned>((uuid.high >> 16) & 0xFFFF), static_cast<unsigned>(uuid.high & 0xFFFF),
                static_cast<unsigned>(uuid.low >> 48), static_cast<unsigned long long>(uuid.low & 0xFFFFFFFFFFFFULL));
  return client_id + "-" + text;
}

ErrorCode GroupCoordinator::check_group(const std::string& group_id) const {
  if (group_id.empty()) return ErrorCode::invalid_group_id;
  const auto partition = offsets_partition_for(group_id, config_.offsets_partitions);
  auto it = partitions_.find(partition);
  if (it == partitions_.end()) return ErrorCode::not_coordinator;
  if (it->second == PartitionStatus::loading) return ErrorCode::coordinator_load_in_progress;
  return ErrorCode::none;
}

Group* GroupCoordinator::find_group(const std::string& group_id) {
  auto it = groups_.find(group_id);
  return it == groups_.end() ? nullptr : it->second.get();
}

Group& GroupCoordinator::create_group(const std::string& group_id) {
  auto group = std::make_unique<Group>();
  group->id = group_id;
  group->partition = offsets_partition_for(group_id, config_.offsets_partitions);
  group->state_timestamp_ms = wall_clock_ms();
  auto& ref = *group;
  groups_[group_id] = std::move(group);
  return ref;
}

void GroupCoordinator::set_state(Group& group, GroupState state) {
  group.state = state;
  group.state_timestamp_ms = wall_clock_ms();
}

// Kafka's validateCurrentMember, without the generation check.
ErrorCode GroupCoordinator::validate_member(Group& group, const std::string& member_id,
                                            const std::optional<std::string>& instance_id) {
  if (instance_id) {
    auto it = group.static_members.find(*instance_id);
    if (it != group.static_members.end() && it->second != member_id) return ErrorCode::fenced_instance_id;
  }
  if (!group.has(member_id)) return ErrorCode::unknown_member_id;
  return ErrorCode::none;
}

// --- JoinGroup -------------------------------------------------------------

asio::awaitable<JoinResult> GroupCoordinator::join(JoinRequest request) {
  auto failed = [&](ErrorCode error) {
    JoinResult result;
    result.error = error;
    result.member_id = request.member_id;
    return result;
  };
  if (auto error = check_group(request.group_id); error != ErrorCode::none) co_return failed(error);
  if (request.session_timeout_ms < config_.min_session_timeout_ms ||
      request.session_timeout_ms > config_.max_session_timeout_ms) {
    co_return failed(ErrorCode::invalid_session_timeout);
  }
  const bool new_member = request.member_id.empty();
  Group* group = find_group(request.group_id);
  if (group == nullptr) {
    if (!new_member) co_return failed(ErrorCode::unknown_member_id);
    group = &create_group(request.group_id);
  }
  if (group->state == GroupState::dead) co_return failed(ErrorCode::coordinator_not_available);
  if (!group->supports(request.protocol_type, request.protocols)) {
    co_return failed(ErrorCode::inconsistent_group_protocol);
  }
  auto waiter = std::make_shared<Waiter<JoinResult>>(executor_);
  const auto now = Clock::now();

  if (new_member) {
    if (static_cast<std::int64_t>(group->members.size() + group->pending_members.size()) >=
        config_.max_group_size) {
      co_return failed(ErrorCode::group_max_size_reached);
    }
    const std::string member_id = new_member_id(request.client_id);
    if (request.group_instance_id) {
      auto it = group->static_members.find(*request.group_instance_id);
      Member* existing = it == group->static_members.end() ? nullptr : group->find(it->second);
      if (existing == nullptr) {
        add_member_and_rebalance(*group, request, member_id, waiter);
      } else {
        // A static member restarted: it takes over its old identity's place
        // under a new member id; the old id is fenced from now on.
        const std::string old_id = existing->member_id;
        if (existing->awaiting_join) existing->awaiting_join->complete(JoinResult::failed(ErrorCode::fenced_instance_id));
        if (existing->awaiting_sync) existing->awaiting_sync->complete(SyncResult::failed(ErrorCode::fenced_instance_id));
        existing->awaiting_join.reset();
        existing->awaiting_sync.reset();
        existing->member_id = member_id;
        existing->client_id = request.client_id;
        existing->client_host = request.client_host;
        existing->session_timeout_ms = request.session_timeout_ms;
        existing->rebalance_timeout_ms = request.rebalance_timeout_ms;
        existing->heartbeat_deadline = now + std::chrono::milliseconds(request.session_timeout_ms);
        it->second = member_id;
        if (group->pending_sync.erase(old_id) > 0) group->pending_sync.insert(member_id);
        const bool was_leader = group->leader == old_id;
        if (was_leader) group->leader = member_id;
        if (group->state == GroupState::stable && existing->same_protocols(request.protocols)) {
          // No rebalance: same generation, the member syncs for its old assignment.
          // A leader that cannot skip the assignment (before v9) is told the
          // old leader id, so that it does not assign (Kafka does the same).
          const bool skip = was_leader && request.supports_skip_assignment;
          JoinResult result = current_join_result(*group, *existing, skip);
          result.skip_assignment = skip;
          if (was_leader && !skip) result.leader = old_id;
          persist_group(*group);
          co_return result;
        }
        update_member_and_rebalance(*group, *existing, request, waiter);
      }
    } else if (request.require_known_member_id) {
      group->pending_members[member_id] = now + std::chrono::milliseconds(request.session_timeout_ms);
      JoinResult result = failed(ErrorCode::member_id_required);
      result.member_id = member_id;
      co_return result;
    } else {
      add_member_and_rebalance(*group, request, member_id, waiter);
    }
  } else if (auto pending = group->pending_members.find(request.member_id); pending != group->pending_members.end()) {
    group->pending_members.erase(pending);
    add_member_and_rebalance(*group, request, request.member_id, waiter);
  } else {
    if (auto error = validate_member(*group, request.member_id, request.group_instance_id); error != ErrorCode::none) {
      co_return failed(error);
    }
    Member& member = *group->find(request.member_id);
    switch (group->state) {
      case GroupState::preparing_rebalance:
        update_member_and_rebalance(*group, member, request, waiter);
        break;
      case GroupState::completing_rebalance:
        if (member.same_protocols(request.protocols)) {
          co_return current_join_result(*group, member, group->leader == member.member_id);
        }
        update_member_and_rebalance(*group, member, request, waiter);
        break;
      case GroupState::stable:
        if (group->leader == member.member_id || !member.same_protocols(request.protocols)) {
          update_member_and_rebalance(*group, member, request, waiter);
        } else {
          member.heartbeat_deadline = now + std::chrono::milliseconds(member.session_timeout_ms);
          co_return current_join_result(*group, member, false);
        }
        break;
      case GroupState::empty:
      case GroupState::dead:
        co_return failed(ErrorCode::unknown_member_id);
    }
  }
  co_return co_await waiter->wait();
}

JoinResult GroupCoordinator::current_join_result(Group& group, Member& member, bool with_members) {
  JoinResult result;
  result.generation = group.generation;
  result.protocol_type = group.protocol_type;
  result.protocol_name = group.protocol;
  result.leader = group.leader;
  result.member_id = member.member_id;
  if (with_members && group.protocol) {
    for (const auto& m : group.members) {
      const Bytes* metadata = m->metadata_for(*group.protocol);
      result.members.push_back({m->member_id, m->group_instance_id, metadata ? *metadata : Bytes{}});
    }
  }
  return result;
}

void GroupCoordinator::add_member_and_rebalance(Group& group, const JoinRequest& request, const std::string& member_id,
                                                std::shared_ptr<Waiter<JoinResult>> waiter) {
  auto member = std::make_unique<Member>();
  member->member_id = member_id;
  member->group_instance_id = request.group_instance_id;
  member->client_id = request.client_id;
  member->client_host = request.client_host;
  member->session_timeout_ms = request.session_timeout_ms;
  member->rebalance_timeout_ms = request.rebalance_timeout_ms;
  member->protocols = request.protocols;
  member->awaiting_join = std::move(waiter);
  member->heartbeat_deadline = Clock::now() + std::chrono::milliseconds(request.session_timeout_ms);
  if (group.members.empty()) group.protocol_type = request.protocol_type;
  if (group.leader.empty()) group.leader = member_id;
  if (request.group_instance_id) group.static_members[*request.group_instance_id] = member_id;
  group.members.push_back(std::move(member));
  if (group.state == GroupState::preparing_rebalance) {
    // A new member during the initial delay pushes the delay on (up to the
    // rebalance timeout), as Kafka's InitialDelayedJoin does.
    const auto now = Clock::now();
    if (now < group.initial_delay_until) {
      group.initial_delay_until = std::min(now + config_.initial_rebalance_delay, group.initial_delay_cap);
    }
    try_complete_join(group, now);
  } else {
    prepare_rebalance(group);
  }
}

void GroupCoordinator::update_member_and_rebalance(Group& group, Member& member, const JoinRequest& request,
                                                   std::shared_ptr<Waiter<JoinResult>> waiter) {
  member.protocols = request.protocols;
  member.session_timeout_ms = request.session_timeout_ms;
  member.rebalance_timeout_ms = request.rebalance_timeout_ms;
  member.client_id = request.client_id;
  member.client_host = request.client_host;
  if (member.awaiting_join) member.awaiting_join->complete(JoinResult::failed(ErrorCode::rebalance_in_progress));
  member.awaiting_join = std::move(waiter);
  if (group.state == GroupState::preparing_rebalance) {
    try_complete_join(group, Clock::now());
  } else {
    prepare_rebalance(group);
  }
}

void GroupCoordinator::prepare_rebalance(Group& group) {
  if (group.state == GroupState::completing_rebalance) {
    for (auto& m : group.members) {
      if (m->awaiting_sync) {
        m->awaiting_sync->complete(SyncResult::failed(ErrorCode::rebalance_in_progress));
        m->awaiting_sync.reset();
      }
    }
  }
  group.pending_sync.clear();  // the sync deadline belongs to the generation that ends here
  const bool was_empty = group.state == GroupState::empty;
  const auto now = Clock::now();
  const auto rebalance_timeout = std::chrono::milliseconds(group.max_rebalance_timeout_ms());
  set_state(group, GroupState::preparing_rebalance);
  group.join_deadline = now + rebalance_timeout;
  group.initial_delay_cap = now + rebalance_timeout;
  group.initial_delay_until = was_empty ? std::min(now + config_.initial_rebalance_delay, group.initial_delay_cap) : now;
  spdlog::debug("group {}: preparing rebalance (generation {}, {} members)", group.id, group.generation,
                group.members.size());
  try_complete_join(group, now);
}

void GroupCoordinator::try_complete_join(Group& group, Clock::time_point now) {
  if (group.state != GroupState::preparing_rebalance) return;
  if (now < group.initial_delay_until) return;
  if (group.all_joined() || now >= group.join_deadline) complete_join(group, now);
}

void GroupCoordinator::complete_join(Group& group, Clock::time_point now) {
  // Dynamic members that did not rejoin in time are out; static ones keep
  // their place (their session timeout still applies).
  std::vector<std::string> gone;
  for (const auto& m : group.members) {
    if (!m->awaiting_join && !m->group_instance_id) gone.push_back(m->member_id);
  }
  for (const auto& id : gone) remove_member(group, id);
  group.pending_members.clear();

  ++group.generation;
  if (group.members.empty()) {
    group.protocol.reset();
    group.leader.clear();
    set_state(group, GroupState::empty);
    persist_group(group);
    return;
  }
  // The leader must be a member that joined this round.
  Member* leader = group.find(group.leader);
  if (leader == nullptr || !leader->awaiting_join) {
    for (auto& m : group.members) {
      if (m->awaiting_join) {
        group.leader = m->member_id;
        break;
      }
    }
  }
  group.protocol = group.select_protocol();
  set_state(group, GroupState::completing_rebalance);
  // Every member, including a static one that did not rejoin, owes a
  // SyncGroup within the rebalance timeout.
  group.pending_sync.clear();
  for (const auto& m : group.members) group.pending_sync.insert(m->member_id);
  group.sync_deadline = now + std::chrono::milliseconds(group.max_rebalance_timeout_ms());
  spdlog::debug("group {}: generation {} with {} members, protocol {}, leader {}", group.id, group.generation,
                group.members.size(), group.protocol.value_or(""), group.leader);
  for (auto& m : group.members) {
    if (!m->awaiting_join) continue;
    auto waiter = std::move(m->awaiting_join);
    m->awaiting_join.reset();
    m->heartbeat_deadline = now + std::chrono::milliseconds(m->session_timeout_ms);
    waiter->complete(current_join_result(group, *m, m->member_id == group.leader));
  }
}

void GroupCoordinator::remove_member(Group& group, const std::string& member_id) {
  for (auto it = group.members.begin(); it != group.members.end(); ++it) {
    Member& m = **it;
    if (m.member_id != member_id) continue;
    if (m.awaiting_join) m.awaiting_join->complete(JoinResult::failed(ErrorCode::unknown_member_id));
    if (m.awaiting_sync) m.awaiting_sync->complete(SyncResult::failed(ErrorCode::unknown_member_id));
    if (m.group_instance_id) group.static_members.erase(*m.group_instance_id);
    group.members.erase(it);
    break;
  }
  group.pending_sync.erase(member_id);
  if (group.leader == member_id) group.leader = group.members.empty() ? "" : group.members.front()->member_id;
}

// --- SyncGroup -------------------------------------------------------------

asio::awaitable<SyncResult> GroupCoordinator::sync(SyncRequest request) {
  if (auto error = check_group(request.group_id); error != ErrorCode::none) co_return SyncResult::failed(error);
  Group* group = find_group(request.group_id);
  if (group == nullptr) co_return SyncResult::failed(ErrorCode::unknown_member_id);
  if (group->state == GroupState::dead) co_return SyncResult::failed(ErrorCode::coordinator_not_available);
  if (auto error = validate_member(*group, request.member_id, request.group_instance_id); error != ErrorCode::none) {
    co_return SyncResult::failed(error);
  }
  if (request.generation != group->generation) co_return SyncResult::failed(ErrorCode::illegal_generation);
  if ((request.protocol_type && *request.protocol_type != group->protocol_type) ||
      (request.protocol_name && *request.protocol_name != group->protocol.value_or(""))) {
    co_return SyncResult::failed(ErrorCode::inconsistent_group_protocol);
  }
  Member& member = *group->find(request.member_id);
  member.heartbeat_deadline = Clock::now() + std::chrono::milliseconds(member.session_timeout_ms);
  switch (group->state) {
    case GroupState::empty:
    case GroupState::dead:
      co_return SyncResult::failed(ErrorCode::unknown_member_id);
    case GroupState::preparing_rebalance:
      co_return SyncResult::failed(ErrorCode::rebalance_in_progress);
    case GroupState::stable:
      group->pending_sync.erase(member.member_id);
      co_return SyncResult{ErrorCode::none, group->protocol_type, group->protocol, member.assignment};
    case GroupState::completing_rebalance:
      group->pending_sync.erase(member.member_id);
      break;
  }
  auto waiter = std::make_shared<Waiter<SyncResult>>(executor_);
  if (member.awaiting_sync) member.awaiting_sync->complete(SyncResult::failed(ErrorCode::rebalance_in_progress));
  member.awaiting_sync = waiter;
  if (group->leader == member.member_id) {
    // The leader's assignment is stored before anyone receives it.
    asio::co_spawn(executor_, finish_sync(group->id, group->generation, std::move(request.assignments)),
                   asio::detached);
  }
  co_return co_await waiter->wait();
}

asio::awaitable<void> GroupCoordinator::finish_sync(std::string group_id, std::int32_t generation,
                                                    std::vector<std::pair<std::string, Bytes>> assignments) {
  Group* group = find_group(group_id);
  if (group == nullptr) co_return;
  GroupValue value = group->to_value(wall_clock_ms());
  for (auto& stored : value.members) {
    stored.assignment.clear();
    for (const auto& [id, assignment] : assignments) {
      if (id == stored.member_id) stored.assignment = assignment;
    }
  }
  std::vector<StoredRecord> records;
  records.push_back({encode_key(GroupKey{group_id}), encode_value(value)});
  const auto error = co_await store_.append(group->partition, std::move(records));
  group = find_group(group_id);
  if (group == nullptr || group->state != GroupState::completing_rebalance || group->generation != generation) {
    co_return;  // a rebalance started meanwhile; its waiters were answered
  }
  if (error != ErrorCode::none) {
    for (auto& m : group->members) {
      if (m->awaiting_sync) {
        m->awaiting_sync->complete(SyncResult::failed(error));
        m->awaiting_sync.reset();
      }
    }
    prepare_rebalance(*group);
    co_return;
  }
  for (auto& m : group->members) {
    m->assignment.clear();
    for (const auto& [id, assignment] : assignments) {
      if (id == m->member_id) m->assignment = assignment;
    }
    if (m->awaiting_sync) {
      m->awaiting_sync->complete(SyncResult{ErrorCode::none, group->protocol_type, group->protocol, m->assignment});
      m->awaiting_sync.reset();
    }
  }
  set_state(*group, GroupState::stable);
  spdlog::debug("group {}: stable at generation {}", group->id, group->generation);
}

void GroupCoordinator::persist_group(Group& group) {
  std::vector<StoredRecord> records;
  records.push_back({encode_key(GroupKey{group.id}), encode_value(group.to_value(wall_clock_ms()))});
  auto write = [](OffsetsStore& store, std::int32_t partition,
                  std::vector<StoredRecord> batch) -> asio::awaitable<void> {
    auto error = co_await store.append(partition, std::move(batch));
    if (error != ErrorCode::none) spdlog::warn("cannot store group metadata: {}", protocol::error_name(error));
  };
  asio::co_spawn(executor_, write(store_, group.partition, std::move(records)), asio::detached);
}

// --- Heartbeat and LeaveGroup ------------------------------------------------

ErrorCode GroupCoordinator::heartbeat(const std::string& group_id, std::int32_t generation,
                                      const std::string& member_id, const std::optional<std::string>& instance_id) {
  if (auto error = check_group(group_id); error != ErrorCode::none) return error;
  Group* group = find_group(group_id);
  if (group == nullptr) return ErrorCode::unknown_member_id;
  if (group->state == GroupState::dead) return ErrorCode::coordinator_not_available;
  if (group->state == GroupState::empty) return ErrorCode::unknown_member_id;
  if (auto error = validate_member(*group, member_id, instance_id); error != ErrorCode::none) return error;
  if (generation != group->generation) return ErrorCode::illegal_generation;
  Member& member = *group->find(member_id);
  member.heartbeat_deadline = Clock::now() + std::chrono::milliseconds(member.session_timeout_ms);
  if (group->state == GroupState::preparing_rebalance) return ErrorCode::rebalance_in_progress;
  return ErrorCode::none;
}

LeaveResult GroupCoordinator::leave(const std::string& group_id, const std::vector<MemberIdentity>& identities) {
  LeaveResult result;
  if (auto error = check_group(group_id); error != ErrorCode::none) {
    result.error = error;
    return result;
  }
  Group* group = find_group(group_id);
  if (group == nullptr || group->state == GroupState::dead) {
    result.error = ErrorCode::unknown_member_id;
    return result;
  }
  bool changed = false;
  for (const auto& identity : identities) {
    ErrorCode error = ErrorCode::none;
    std::string member_id = identity.member_id;
    if (identity.group_instance_id) {
      auto it = group->static_members.find(*identity.group_instance_id);
      if (it == group->static_members.end()) {
        error = ErrorCode::unknown_member_id;
      } else if (!member_id.empty() && it->second != member_id) {
        error = ErrorCode::fenced_instance_id;
      } else {
        member_id = it->second;
      }
    }
    if (error == ErrorCode::none) {
      if (group->pending_members.erase(member_id) > 0) {
        changed = true;
      } else if (group->has(member_id)) {
        remove_member(*group, member_id);
        changed = true;
      } else {
        error = ErrorCode::unknown_member_id;
      }
    }
    result.members.push_back(error);
  }
  if (changed) {
    if (group->state == GroupState::stable || group->state == GroupState::completing_rebalance) {
      prepare_rebalance(*group);
    } else {
      try_complete_join(*group, Clock::now());
    }
  }
  return result;
}

// --- Timers ------------------------------------------------------------------

// Kafka's onExpirePendingSync: after a join completes, members that have not
// sent SyncGroup within the rebalance timeout are removed. Returns whether
// any member was removed (the caller then starts a rebalance).
bool GroupCoordinator::expire_pending_sync(Group& group, Clock::time_point now) {
  if (group.state != GroupState::completing_rebalance && group.state != GroupState::stable) return false;
  if (group.pending_sync.empty() || now < group.sync_deadline) return false;
  const std::vector<std::string> late(group.pending_sync.begin(), group.pending_sync.end());
  for (const auto& id : late) {
    spdlog::info("group {}: member {} removed (no SyncGroup within the rebalance timeout, generation {})", group.id,
                 id, group.generation);
    remove_member(group, id);
  }
  return true;
}

void GroupCoordinator::tick(Clock::time_point now, std::int64_t /*now_ms*/) {
  std::vector<Group*> groups;
  for (auto& [id, group] : groups_) {
    if (!group->members.empty() || !group->pending_members.empty()) groups.push_back(group.get());
  }
  for (Group* group : groups) {
    bool changed = false;
    for (auto it = group->pending_members.begin(); it != group->pending_members.end();) {
      if (it->second <= now) {
        it = group->pending_members.erase(it);
        changed = true;
      } else {
        ++it;
      }
    }
    std::vector<std::string> expired;
    for (const auto& m : group->members) {
      // A member waiting in JoinGroup or SyncGroup is alive by definition.
      if (m->awaiting_join || m->awaiting_sync) continue;
      if (m->heartbeat_deadline <= now) expired.push_back(m->member_id);
    }
    for (const auto& id : expired) {
      spdlog::info("group {}: member {} left (session timeout)", group->id, id);
      remove_member(*group, id);
      changed = true;
    }
    if (expire_pending_sync(*group, now)) changed = true;
    if (changed && (group->state == GroupState::stable || group->state == GroupState::completing_rebalance)) {
      prepare_rebalance(*group);
    } else {
      try_complete_join(*group, now);
    }
  }
}

}  // namespace conveyor::group
