#pragma once
// GroupCoordinator: Kafka's classic group protocol for the groups whose
// __consumer_offsets partition this shard owns. One per shard; every method
// runs on that shard's thread (the API handlers hop there with run_on), so
// nothing is locked.
//
// Durability: offset commits, assignments (group metadata at the end of
// SyncGroup and when a group empties) and deletions are appended to the
// group's __consumer_offsets partition through an OffsetsStore and are
// acknowledged only once that append is durable (fsync'd; with
// acks.all.fsync=false, in the page cache, as acks=all data then is). At start (and when a
// partition moves here) the partition's log is read back and replayed with
// load(); until then the partition answers COORDINATOR_LOAD_IN_PROGRESS.
//
// Time: a tick every `tick` (default 100 ms) expires silent members (session
// timeouts), pending members, members that did not send SyncGroup within the
// rebalance timeout after a join, and ends join phases at their deadline;
// offsets of empty groups expire every offsets.retention.check.interval.ms.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "conveyor/broker/internal_records.h"
#include "conveyor/group/group.h"

namespace conveyor::group {

struct CoordinatorConfig {
  std::int32_t offsets_partitions = 50;
  std::chrono::milliseconds initial_rebalance_delay{3000};
  std::int32_t min_session_timeout_ms = 6000;
  std::int32_t max_session_timeout_ms = 1800000;
  std::int32_t max_group_size = INT32_MAX;
  std::chrono::milliseconds offsets_retention{10080LL * 60 * 1000};
  std::chrono::milliseconds retention_check_interval{600000};
  std::chrono::milliseconds tick{100};
};

// One record for __consumer_offsets; a null value is a tombstone.
using StoredRecord = broker::InternalRecord;

// The transactional producer behind a TxnOffsetCommit.
struct TxnProducer {
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
};

// Where the coordinator's records go: the log of a __consumer_offsets partition.
class OffsetsStore {
 public:
  virtual ~OffsetsStore() = default;
  // Appends `records` in one batch and waits until they are durable; with
  // `txn`, a transactional batch of that producer (TxnOffsetCommit), which the
  // transaction's marker later commits or aborts.
  // Returns none, or the Kafka error for the client (NOT_COORDINATOR when
  // the partition is no longer here, COORDINATOR_NOT_AVAILABLE when the
  // append or fsync failed, INVALID_PRODUCER_EPOCH for a fenced producer).
  virtual boost::asio::awaitable<protocol::ErrorCode> append(std::int32_t partition, std::vector<StoredRecord> records,
                                                             std::optional<TxnProducer> txn = std::nullopt) = 0;
};

struct JoinRequest {
  std::string group_id;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  std::int32_t session_timeout_ms = 0;
  std::int32_t rebalance_timeout_ms = 0;
  std::string protocol_type;
  std::vector<Protocol> protocols;
  bool require_known_member_id = false;  // JoinGroup v4+
  bool supports_skip_assignment = false;  // JoinGroup v9+
};

struct SyncRequest {
  std::string group_id;
  std::int32_t generation = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  std::vector<std::pair<std::string, Bytes>> assignments;
};

struct MemberIdentity {
  std::string member_id;
  std::optional<std::string> group_instance_id;
};

struct LeaveResult {
  protocol::ErrorCode error = protocol::ErrorCode::none;
  std::vector<protocol::ErrorCode> members;  // per identity
};

struct CommitItem {
  std::string topic;
  std::int32_t partition = 0;
  OffsetValue value;
};

struct CommitRequest {
  std::string group_id;
  std::int32_t generation = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::vector<CommitItem> items;
  // TxnOffsetCommit: the offsets stay pending until the transaction ends.
  std::optional<TxnProducer> txn;
};

struct FetchedOffset {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = -1;
  std::int32_t leader_epoch = -1;
  std::string metadata;
  bool unstable = false;  // an open transaction has a commit pending for it
};

struct FetchResult {
  protocol::ErrorCode error = protocol::ErrorCode::none;
  std::vector<FetchedOffset> offsets;
};

struct DescribedMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  Bytes metadata;
  Bytes assignment;
};

struct GroupDescription {
  protocol::ErrorCode error = protocol::ErrorCode::none;
  std::string group_id;
  std::string state;
  std::string protocol_type;
  std::string protocol;
  std::vector<DescribedMember> members;
};

struct GroupListing {
  std::string group_id;
  std::string protocol_type;
  std::string state;
};

// A record read back at load, transaction markers included
// (broker::read_internal_records).
using LoadedRecord = broker::InternalRecord;

class GroupCoordinator {
 public:
  GroupCoordinator(CoordinatorConfig config, boost::asio::any_io_executor executor, OffsetsStore& store);
  ~GroupCoordinator();
  GroupCoordinator(const GroupCoordinator&) = delete;
  GroupCoordinator& operator=(const GroupCoordinator&) = delete;

  // Starts the tick loop on the executor. Call once, on the shard.
  void start();
  // Stops the tick loop and fails waiting joins and syncs (shutdown).
  void stop();

  // Partition ownership: begin_loading marks a partition as here but not yet
  // read; load() replays its records (in log order) and makes it serve;
  // unload() forgets it (its groups answer NOT_COORDINATOR).
  void begin_loading(std::int32_t partition);
  void load(std::int32_t partition, const std::vector<LoadedRecord>& records);
  void unload(std::int32_t partition);
  bool owns(std::int32_t partition) const { return partitions_.contains(partition); }

  boost::asio::awaitable<JoinResult> join(JoinRequest request);
  boost::asio::awaitable<SyncResult> sync(SyncRequest request);
  protocol::ErrorCode heartbeat(const std::string& group_id, std::int32_t generation, const std::string& member_id,
                                const std::optional<std::string>& group_instance_id);
  LeaveResult leave(const std::string& group_id, const std::vector<MemberIdentity>& members);
  // Returns one error per item, or a single error for them all.
  boost::asio::awaitable<std::vector<protocol::ErrorCode>> commit(CommitRequest request);
  // `partitions`: nullopt for every committed offset of the group.
  FetchResult fetch(const std::string& group_id, const std::optional<std::vector<TopicPartition>>& partitions);
  GroupDescription describe(const std::string& group_id);
  std::vector<GroupListing> list(const std::vector<GroupState>& states);
  boost::asio::awaitable<protocol::ErrorCode> delete_group(std::string group_id);
  // Top-level error, then one per partition.
  boost::asio::awaitable<std::pair<protocol::ErrorCode, std::vector<protocol::ErrorCode>>> delete_offsets(
      std::string group_id, std::vector<TopicPartition> partitions);

  // Runs the timers' work as of `now` (the tick loop calls it; tests call it
  // directly with a clock of their own).
  void tick(Clock::time_point now, std::int64_t now_ms);
  // Offset expiry pass (offsets.retention.minutes) for empty groups.
  boost::asio::awaitable<void> expire_offsets(std::int64_t now_ms);

  Group* find_group(const std::string& group_id);
  std::size_t group_count() const { return groups_.size(); }

  // A transaction marker written to `partition` for `producer_id`: its
  // pending TxnOffsetCommit offsets there become committed, or are dropped
  // (group_txn_offsets.cc).
  void complete_txn_offsets(std::int32_t partition, std::int64_t producer_id, bool commit);
  bool has_pending_txn_offset(const std::string& group_id, const TopicPartition& tp) const;

 private:
  struct PendingTxnOffset {
    std::string group_id;
    TopicPartition tp;
    OffsetValue value;
    std::int32_t partition = 0;  // of __consumer_offsets
    std::uint64_t commit_sequence = 0;  // of the TxnOffsetCommit that stored it
  };
  // Drops what one TxnOffsetCommit left pending (its append failed).
  void forget_pending_txn_offsets(std::int64_t producer_id, std::uint64_t commit_sequence);
  enum class PartitionStatus { loading, loaded };

  protocol::ErrorCode check_group(const std::string& group_id) const;
  protocol::ErrorCode validate_member(Group& group, const std::string& member_id,
                                      const std::optional<std::string>& instance_id);
  Group& create_group(const std::string& group_id);
  void add_member_and_rebalance(Group& group, const JoinRequest& request, const std::string& member_id,
                                std::shared_ptr<Waiter<JoinResult>> waiter);
  void update_member_and_rebalance(Group& group, Member& member, const JoinRequest& request,
                                   std::shared_ptr<Waiter<JoinResult>> waiter);
  JoinResult current_join_result(Group& group, Member& member, bool with_members);
  void prepare_rebalance(Group& group);
  void try_complete_join(Group& group, Clock::time_point now);
  void complete_join(Group& group, Clock::time_point now);
  void remove_member(Group& group, const std::string& member_id);
  bool expire_pending_sync(Group& group, Clock::time_point now);
  void set_state(Group& group, GroupState state);
  void persist_group(Group& group);
  boost::asio::awaitable<void> finish_sync(std::string group_id, std::int32_t generation,
                                           std::vector<std::pair<std::string, Bytes>> assignments);
  boost::asio::awaitable<void> tick_loop();
  std::string new_member_id(const std::string& client_id);

  CoordinatorConfig config_;
  boost::asio::any_io_executor executor_;
  OffsetsStore& store_;
  std::map<std::int32_t, PartitionStatus> partitions_;
  std::unordered_map<std::string, std::unique_ptr<Group>> groups_;
  std::uint64_t next_sequence_ = 1;
  std::unordered_map<std::int64_t, std::vector<PendingTxnOffset>> pending_txn_offsets_;  // by producer id
  std::chrono::steady_clock::time_point next_expiry_;
  std::shared_ptr<bool> running_;
  std::unique_ptr<boost::asio::steady_timer> tick_timer_;
};

}  // namespace conveyor::group
