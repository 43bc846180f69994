#pragma once
// Group and Member: the in-memory state of one consumer group under Kafka's
// classic rebalance protocol. Owned by the GroupCoordinator of the shard
// that owns the group's __consumer_offsets partition; touched only on that
// shard's thread.
//
// States (Kafka's names):
//   Empty               no members (offsets may still be kept)
//   PreparingRebalance  the join phase: waiting for members to (re)join
//   CompletingRebalance joined; waiting for the leader's SyncGroup
//   Stable              assignments handed out; heartbeats keep members
//   Dead                deleted (a transient state before removal)

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "conveyor/group/group_records.h"
#include "conveyor/protocol/error_code.h"

namespace conveyor::group {

using Clock = std::chrono::steady_clock;
using Bytes = std::vector<std::uint8_t>;

enum class GroupState { empty, preparing_rebalance, completing_rebalance, stable, dead };
std::string_view to_string(GroupState state);
// Case-insensitive parse of a state name (ListGroups' filter).
std::optional<GroupState> parse_group_state(std::string_view name);

// A one-shot result a coroutine on the owning shard waits for (a JoinGroup
// or SyncGroup response that completes when the rebalance moves on).
template <typename T>
class Waiter {
 public:
  explicit Waiter(const boost::asio::any_io_executor& executor)
      : timer_(executor, boost::asio::steady_timer::time_point::max()) {}
  bool done() const { return result_.has_value(); }
  void complete(T result) {
    if (result_) return;
    result_ = std::move(result);
    timer_.cancel();
  }
  boost::asio::awaitable<T> wait() {
    while (!result_) co_await timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    co_return *result_;
  }

 private:
  boost::asio::steady_timer timer_;
  std::optional<T> result_;
};

struct JoinedMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  Bytes metadata;
};

struct JoinResult {
  protocol::ErrorCode error = protocol::ErrorCode::none;
  std::int32_t generation = -1;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  std::string leader;
  std::string member_id;
  bool skip_assignment = false;
  std::vector<JoinedMember> members;  // the leader's only

  static JoinResult failed(protocol::ErrorCode error) {
    JoinResult result;
    result.error = error;
    return result;
  }
};

struct SyncResult {
  protocol::ErrorCode error = protocol::ErrorCode::none;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  Bytes assignment;

  static SyncResult failed(protocol::ErrorCode error) {
    SyncResult result;
    result.error = error;
    return result;
  }
};

struct Protocol {
  std::string name;
  Bytes metadata;
};

struct Member {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  std::int32_t rebalance_timeout_ms = 0;
  std::int32_t session_timeout_ms = 0;
  std::vector<Protocol> protocols;  // in the member's order of preference
  Bytes assignment;
  Clock::time_point heartbeat_deadline;
  std::shared_ptr<Waiter<JoinResult>> awaiting_join;
  std::shared_ptr<Waiter<SyncResult>> awaiting_sync;

  const Bytes* metadata_for(std::string_view protocol) const;
  bool same_protocols(const std::vector<Protocol>& other) const;
};

struct CommittedOffset {
  OffsetValue value;
  std::uint64_t sequence = 0;  // order of the commit's append on this shard
};

using TopicPartition = std::pair<std::string, std::int32_t>;

struct Group {
  std::string id;
  std::int32_t partition = 0;  // of __consumer_offsets
  GroupState state = GroupState::empty;
  std::int32_t generation = 0;
  std::string protocol_type;  // empty: none yet (an offsets-only group)
  std::optional<std::string> protocol;
  std::string leader;  // member id; empty when none
  std::vector<std::unique_ptr<Member>> members;  // in join order
  std::map<std::string, std::string, std::less<>> static_members;  // instance id -> member id
  std::map<std::string, Clock::time_point, std::less<>> pending_members;  // MEMBER_ID_REQUIRED given, not joined
  // Members of this generation that have not sent SyncGroup yet. Whoever is
  // still here at sync_deadline is removed and the group rebalances (Kafka
  // 3.x, KAFKA-13425): a leader that never syncs must not hold the group in
  // CompletingRebalance, nor a follower that never syncs keep its partitions.
  std::set<std::string, std::less<>> pending_sync;
  Clock::time_point sync_deadline;
  std::map<TopicPartition, CommittedOffset> offsets;
  std::int64_t state_timestamp_ms = -1;  // wall clock of the last state change (offset expiry)

  // The join phase's deadlines.
  Clock::time_point join_deadline;
  Clock::time_point initial_delay_until;
  Clock::time_point initial_delay_cap;

  Member* find(std::string_view member_id);
  bool has(std::string_view member_id) { return find(member_id) != nullptr; }
  bool all_joined() const;
  std::int32_t max_rebalance_timeout_ms() const;
  // Whether a member offering `protocols` of `type` may join.
  bool supports(std::string_view type, const std::vector<Protocol>& protocols) const;
  // The protocol every member supports that most members prefer.
  std::optional<std::string> select_protocol() const;
  // Topics the members subscribe to (consumer protocol), for OffsetDelete.
  std::vector<std::string> subscribed_topics() const;
  GroupValue to_value(std::int64_t now_ms) const;
};

}  // namespace conveyor::group
