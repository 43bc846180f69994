// The classic rebalance state machine, driven on a plain io_context with an
// in-memory OffsetsStore (no broker, no disk).

#include "conveyor/group/group_coordinator.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

namespace conveyor::group {
namespace {

namespace asio = boost::asio;
using protocol::ErrorCode;

class MemoryStore final : public OffsetsStore {
 public:
  asio::awaitable<ErrorCode> append(std::int32_t partition, std::vector<StoredRecord> records,
                                    std::optional<TxnProducer> txn) override {
    if (fail) co_return ErrorCode::coordinator_not_available;
    for (auto& r : records) {
      log[partition].push_back(LoadedRecord{std::move(r.key), std::move(r.value), txn ? txn->producer_id : -1, {}});
    }
    co_return ErrorCode::none;
  }
  std::map<std::int32_t, std::vector<LoadedRecord>> log;
  bool fail = false;
};

class CoordinatorTest : public ::testing::Test {
 protected:
  static constexpr std::int32_t kPartitions = 4;

  CoordinatorTest() : coordinator_(make_config(), io_.get_executor(), store_) {
    for (std::int32_t p = 0; p < kPartitions; ++p) {
      coordinator_.begin_loading(p);
      coordinator_.load(p, {});
    }
  }

  static CoordinatorConfig make_config() {
    CoordinatorConfig c;
    c.offsets_partitions = kPartitions;
    c.initial_rebalance_delay = std::chrono::milliseconds(0);
    c.min_session_timeout_ms = 10;
    return c;
  }

  // Starts a coroutine and runs everything ready; the result (if it finished) is in the returned slot.
  template <typename T>
  std::shared_ptr<std::optional<T>> start(asio::awaitable<T> work) {
    auto out = std::make_shared<std::optional<T>>();
    asio::co_spawn(io_, std::move(work), [out](std::exception_ptr e, T value) {
      if (e) std::rethrow_exception(e);
      *out = std::move(value);
    });
    settle();
    return out;
  }
  void settle() {
    io_.restart();
    io_.poll();
  }

  JoinRequest join_request(std::string member_id, std::optional<std::string> instance = std::nullopt) {
    JoinRequest r;
    r.group_id = "g";
    r.member_id = std::move(member_id);
    r.group_instance_id = std::move(instance);
    r.client_id = "client";
    r.client_host = "/127.0.0.1";
    r.session_timeout_ms = 1000;
    r.rebalance_timeout_ms = 5000;
    r.protocol_type = "consumer";
    r.protocols = {{"range", {1}}, {"roundrobin", {2}}};
    r.require_known_member_id = true;
    return r;
  }

  // MEMBER_ID_REQUIRED, then the real join; returns the pending join.
  std::shared_ptr<std::optional<JoinResult>> join_new(std::optional<std::string> instance = std::nullopt) {
    auto first = start(coordinator_.join(join_request("", instance)));
    if (instance) return first;  // static members are not asked for an id
    EXPECT_TRUE(first->has_value());
    EXPECT_EQ((*first)->error, ErrorCode::member_id_required);
    return start(coordinator_.join(join_request((*first)->member_id)));
  }

  SyncResult sync(const JoinResult& joined, std::vector<std::pair<std::string, Bytes>> assignments = {}) {
    SyncRequest r;
    r.group_id = "g";
    r.generation = joined.generation;
    r.member_id = joined.member_id;
    r.assignments = std::move(assignments);
    auto result = start(coordinator_.sync(r));
    EXPECT_TRUE(result->has_value());
    return result->value_or(SyncResult::failed(ErrorCode::unknown_server_error));
  }

  asio::io_context io_;
  MemoryStore store_;
  GroupCoordinator coordinator_;
};

TEST_F(CoordinatorTest, FirstMemberBecomesLeaderAndGetsItsAssignment) {
  auto joined = join_new();
  ASSERT_TRUE(joined->has_value());
  const JoinResult& j = **joined;
  EXPECT_EQ(j.error, ErrorCode::none);
  EXPECT_EQ(j.generation, 1);
  EXPECT_EQ(j.leader, j.member_id);
  EXPECT_EQ(j.protocol_name, "range");
  ASSERT_EQ(j.members.size(), 1u);
  EXPECT_EQ(coordinator_.find_group("g")->state, GroupState::completing_rebalance);

  auto synced = sync(j, {{j.member_id, Bytes{9, 9}}});
  EXPECT_EQ(synced.error, ErrorCode::none);
  EXPECT_EQ(synced.assignment, (Bytes{9, 9}));
  EXPECT_EQ(coordinator_.find_group("g")->state, GroupState::stable);
  EXPECT_EQ(coordinator_.heartbeat("g", 1, j.member_id, std::nullopt), ErrorCode::none);
  EXPECT_EQ(coordinator_.heartbeat("g", 0, j.member_id, std::nullopt), ErrorCode::illegal_generation);
  EXPECT_EQ(coordinator_.heartbeat("g", 1, "nobody", std::nullopt), ErrorCode::unknown_member_id);
  // The assignment was stored before it was handed out.
  EXPECT_FALSE(store_.log.empty());
}

TEST_F(CoordinatorTest, SecondMemberTriggersRebalanceAndBothGetTheNextGeneration) {
  auto a = join_new();
  ASSERT_TRUE(a->has_value());
  sync(**a, {{(*a)->member_id, Bytes{1}}});
  auto b = join_new();
  EXPECT_FALSE(b->has_value());  // waits for the known member to rejoin
  EXPECT_EQ(coordinator_.find_group("g")->state, GroupState::preparing_rebalance);
  EXPECT_EQ(coordinator_.heartbeat("g", 1, (*a)->member_id, std::nullopt), ErrorCode::rebalance_in_progress);
  auto a2 = start(coordinator_.join(join_request((*a)->member_id)));
  ASSERT_TRUE(a2->has_value());
  ASSERT_TRUE(b->has_value());
  EXPECT_EQ((*a2)->generation, 2);
  EXPECT_EQ((*b)->generation, 2);
  EXPECT_EQ((*a2)->leader, (*a)->member_id);
  EXPECT_EQ((*a2)->members.size(), 2u);
  EXPECT_TRUE((*b)->members.empty());

  // The follower's SyncGroup waits for the leader's.
  SyncRequest follower;
  follower.group_id = "g";
  follower.generation = 2;
  follower.member_id = (*b)->member_id;
  auto pending = start(coordinator_.sync(follower));
  EXPECT_FALSE(pending->has_value());
  sync(**a2, {{(*a)->member_id, Bytes{1}}, {(*b)->member_id, Bytes{2}}});
  settle();
  ASSERT_TRUE(pending->has_value());
  EXPECT_EQ((*pending)->assignment, (Bytes{2}));
}

TEST_F(CoordinatorTest, SilentMemberIsRemovedAfterItsSessionTimeout) {
  auto a = join_new();
  sync(**a, {});
  coordinator_.tick(Clock::now() + std::chrono::milliseconds(500), 0);
  EXPECT_EQ(coordinator_.find_group("g")->members.size(), 1u);
  coordinator_.tick(Clock::now() + std::chrono::milliseconds(1500), 0);
  const Group* g = coordinator_.find_group("g");
  EXPECT_TRUE(g->members.empty());
  EXPECT_EQ(g->state, GroupState::empty);
  EXPECT_EQ(g->generation, 2);
}

TEST_F(CoordinatorTest, MemberThatDoesNotRejoinIsDroppedAtTheRebalanceTimeout) {
  auto a = join_new();
  sync(**a, {});
  auto b = join_new();
  EXPECT_FALSE(b->has_value());
  coordinator_.tick(Clock::now() + std::chrono::milliseconds(6000), 0);
  settle();
  ASSERT_TRUE(b->has_value());
  EXPECT_EQ((*b)->generation, 2);
  EXPECT_EQ((*b)->leader, (*b)->member_id);
  EXPECT_EQ(coordinator_.find_group("g")->members.size(), 1u);
}

// Two members in one generation, with a session timeout longer than the
// rebalance timeout so that only the sync deadline can remove anyone.
class PendingSyncTest : public CoordinatorTest {
 protected:
  static constexpr int kSessionMs = 60000;
  static constexpr int kRebalanceMs = 2000;

  JoinRequest long_session(std::string member_id) {
    JoinRequest r = join_request(std::move(member_id));
    r.session_timeout_ms = kSessionMs;
    r.rebalance_timeout_ms = kRebalanceMs;
    return r;
  }

  // Leader A (generation 1, synced), then B joins and A rejoins: generation 2, nobody synced yet.
  void two_members_joined() {
    auto first = start(coordinator_.join(long_session("")));
    auto a1 = start(coordinator_.join(long_session((*first)->member_id)));
    ASSERT_TRUE(a1->has_value());
    sync(**a1, {{(*a1)->member_id, Bytes{1}}});
    auto id_b = start(coordinator_.join(long_session("")));
    auto b = start(coordinator_.join(long_session((*id_b)->member_id)));
    auto a2 = start(coordinator_.join(long_session((*a1)->member_id)));
    ASSERT_TRUE(a2->has_value() && b->has_value());
    a_ = **a2;
    b_ = **b;
    ASSERT_EQ(a_.generation, 2);
    ASSERT_EQ(a_.leader, a_.member_id);
    ASSERT_EQ(coordinator_.find_group("g")->state, GroupState::completing_rebalance);
    ASSERT_EQ(coordinator_.find_group("g")->pending_sync.size(), 2u);
  }

  std::shared_ptr<std::optional<SyncResult>> start_sync(const JoinResult& joined,
                                                         std::vector<std::pair<std::string, Bytes>> assignments = {}) {
    SyncRequest r;
    r.group_id = "g";
    r.generation = joined.generation;
    r.member_id = joined.member_id;
    r.assignments = std::move(assignments);
    return start(coordinator_.sync(r));
  }

  Clock::time_point after_deadline() const { return Clock::now() + std::chrono::milliseconds(kRebalanceMs + 100); }

  JoinResult a_;
  JoinResult b_;
};

TEST_F(PendingSyncTest, LeaderThatNeverSyncsIsRemovedAndTheGroupRebalances) {
  two_members_joined();
  auto follower = start_sync(b_);
  EXPECT_FALSE(follower->has_value());  // waits for the leader's assignment
  coordinator_.tick(Clock::now() + std::chrono::milliseconds(kRebalanceMs / 2), 0);
  EXPECT_EQ(coordinator_.find_group("g")->members.size(), 2u);  // not yet

  coordinator_.tick(after_deadline(), 0);
  settle();
  Group* g = coordinator_.find_group("g");
  EXPECT_EQ(g->members.size(), 1u);
  EXPECT_FALSE(g->has(a_.member_id));
  EXPECT_TRUE(g->has(b_.member_id));
  EXPECT_EQ(g->state, GroupState::preparing_rebalance);
  ASSERT_TRUE(follower->has_value());
  EXPECT_EQ((*follower)->error, ErrorCode::rebalance_in_progress);
  EXPECT_EQ(coordinator_.heartbeat("g", 2, a_.member_id, std::nullopt), ErrorCode::unknown_member_id);

  // B rejoins and leads generation 3 alone.
  auto b3 = start(coordinator_.join(long_session(b_.member_id)));
  ASSERT_TRUE(b3->has_value());
  EXPECT_EQ((*b3)->generation, 3);
  EXPECT_EQ((*b3)->leader, b_.member_id);
  EXPECT_EQ(sync(**b3, {{b_.member_id, Bytes{5}}}).assignment, (Bytes{5}));
  EXPECT_EQ(coordinator_.find_group("g")->state, GroupState::stable);
}

TEST_F(PendingSyncTest, FollowerThatNeverSyncsIsRemovedAfterTheGroupIsStable) {
  two_members_joined();
  auto leader = start_sync(a_, {{a_.member_id, Bytes{1}}, {b_.member_id, Bytes{2}}});
  settle();
  ASSERT_TRUE(leader->has_value());
  EXPECT_EQ((*leader)->error, ErrorCode::none);
  EXPECT_EQ(coordinator_.find_group("g")->state, GroupState::stable);

  coordinator_.tick(after_deadline(), 0);
  Group* g = coordinator_.find_group("g");
  EXPECT_FALSE(g->has(b_.member_id));
  EXPECT_TRUE(g->has(a_.member_id));
  EXPECT_EQ(g->state, GroupState::preparing_rebalance);
  EXPECT_EQ(coordinator_.heartbeat("g", 2, a_.member_id, std::nullopt), ErrorCode::rebalance_in_progress);
}

TEST_F(PendingSyncTest, MembersThatSyncInTimeStay) {
  two_members_joined();
  auto follower = start_sync(b_);
  auto leader = start_sync(a_, {{a_.member_id, Bytes{1}}, {b_.member_id, Bytes{2}}});
  settle();
  ASSERT_TRUE(follower->has_value() && leader->has_value());
  EXPECT_EQ((*follower)->assignment, (Bytes{2}));
  EXPECT_TRUE(coordinator_.find_group("g")->pending_sync.empty());

  coordinator_.tick(after_deadline(), 0);
  Group* g = coordinator_.find_group("g");
  EXPECT_EQ(g->state, GroupState::stable);
  EXPECT_EQ(g->generation, 2);
  EXPECT_EQ(g->members.size(), 2u);
}

TEST_F(PendingSyncTest, ARebalanceCancelsTheSyncDeadline) {
  two_members_joined();
  // A leaves before anyone synced: the next join phase has its own deadline.
  coordinator_.leave("g", {{a_.member_id, std::nullopt}});
  Group* g = coordinator_.find_group("g");
  EXPECT_TRUE(g->pending_sync.empty());
  auto b3 = start(coordinator_.join(long_session(b_.member_id)));
  ASSERT_TRUE(b3->has_value());
  EXPECT_EQ((*b3)->generation, 3);
  EXPECT_EQ(g->pending_sync.size(), 1u);
  EXPECT_EQ(sync(**b3, {}).error, ErrorCode::none);
  coordinator_.tick(after_deadline(), 0);
  EXPECT_EQ(g->state, GroupState::stable);
  EXPECT_EQ(g->generation, 3);
}

TEST_F(CoordinatorTest, LeaveRebalancesAndDeleteNeedsAnEmptyGroup) {
  auto a = join_new();
  sync(**a, {});
  auto deleted = start(coordinator_.delete_group("g"));
  EXPECT_EQ(**deleted, ErrorCode::non_empty_group);
  auto left = coordinator_.leave("g", {{(*a)->member_id, std::nullopt}, {"ghost", std::nullopt}});
  ASSERT_EQ(left.members.size(), 2u);
  EXPECT_EQ(left.members[0], ErrorCode::none);
  EXPECT_EQ(left.members[1], ErrorCode::unknown_member_id);
  EXPECT_EQ(coordinator_.find_group("g")->state, GroupState::empty);
  deleted = start(coordinator_.delete_group("g"));
  EXPECT_EQ(**deleted, ErrorCode::none);
  EXPECT_EQ(coordinator_.find_group("g"), nullptr);
  deleted = start(coordinator_.delete_group("g"));
  EXPECT_EQ(**deleted, ErrorCode::group_id_not_found);
}

TEST_F(CoordinatorTest, CommitsNeedTheCurrentGenerationAndSurviveAReload) {
  auto a = join_new();
  sync(**a, {});
  CommitRequest commit;
  commit.group_id = "g";
  commit.generation = 1;
  commit.member_id = (*a)->member_id;
  commit.items.push_back({"t", 0, OffsetValue{10, 3, "m", 1}});
  commit.items.push_back({"t", 1, OffsetValue{20, -1, "", 1}});
  auto done = start(coordinator_.commit(commit));
  EXPECT_EQ(**done, (std::vector<ErrorCode>{ErrorCode::none, ErrorCode::none}));

  commit.generation = 7;
  done = start(coordinator_.commit(commit));
  EXPECT_EQ((**done)[0], ErrorCode::illegal_generation);
  commit.generation = -1;
  commit.member_id = "";
  done = start(coordinator_.commit(commit));
  EXPECT_EQ((**done)[0], ErrorCode::unknown_member_id);  // the group has members

  auto fetched = coordinator_.fetch("g", std::vector<TopicPartition>{{"t", 0}, {"t", 1}, {"t", 2}});
  ASSERT_EQ(fetched.offsets.size(), 3u);
  EXPECT_EQ(fetched.offsets[0].offset, 10);
  EXPECT_EQ(fetched.offsets[0].leader_epoch, 3);
  EXPECT_EQ(fetched.offsets[0].metadata, "m");
  EXPECT_EQ(fetched.offsets[1].offset, 20);
  EXPECT_EQ(fetched.offsets[2].offset, -1);

  // A second coordinator rebuilt from the stored records sees the same.
  MemoryStore other_store;
  GroupCoordinator reloaded(make_config(), io_.get_executor(), other_store);
  const auto partition = offsets_partition_for("g", kPartitions);
  reloaded.begin_loading(partition);
  EXPECT_EQ(reloaded.fetch("g", std::nullopt).error, ErrorCode::coordinator_load_in_progress);
  reloaded.load(partition, store_.log[partition]);
  auto again = reloaded.fetch("g", std::nullopt);
  EXPECT_EQ(again.error, ErrorCode::none);
  ASSERT_EQ(again.offsets.size(), 2u);
  EXPECT_EQ(again.offsets[1].offset, 20);
  const Group* g = reloaded.find_group("g");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->state, GroupState::stable);
  EXPECT_EQ(g->generation, 1);
  EXPECT_EQ(reloaded.heartbeat("g", 1, (*a)->member_id, std::nullopt), ErrorCode::none);
}

TEST_F(CoordinatorTest, StandaloneCommitsAndBadInput) {
  CommitRequest commit;
  commit.group_id = "solo";
  commit.items.push_back({"t", 0, OffsetValue{5, -1, "", 1}});
  auto done = start(coordinator_.commit(commit));
  EXPECT_EQ((**done)[0], ErrorCode::none);
  EXPECT_EQ(coordinator_.find_group("solo")->state, GroupState::empty);

  commit.group_id = "";
  done = start(coordinator_.commit(commit));
  EXPECT_EQ((**done)[0], ErrorCode::invalid_group_id);

  auto bad = join_request("");
  bad.session_timeout_ms = 1;
  auto joined = start(coordinator_.join(bad));
  EXPECT_EQ((*joined)->error, ErrorCode::invalid_session_timeout);
  bad = join_request("not-a-member");
  joined = start(coordinator_.join(bad));
  EXPECT_EQ((*joined)->error, ErrorCode::unknown_member_id);

  store_.fail = true;
  commit.group_id = "solo";
  done = start(coordinator_.commit(commit));
  EXPECT_EQ((**done)[0], ErrorCode::coordinator_not_available);
}

TEST_F(CoordinatorTest, TransactionalCommitsWaitForTheirMarker) {
  CommitRequest commit;
  commit.group_id = "eos";
  commit.txn = TxnProducer{77, 0};
  commit.items.push_back({"t", 0, OffsetValue{40, -1, "", 1}});
  auto done = start(coordinator_.commit(commit));
  EXPECT_EQ((**done)[0], ErrorCode::none);
  const std::vector<TopicPartition> t0{{"t", 0}};
  auto fetched = coordinator_.fetch("eos", t0);
  EXPECT_EQ(fetched.offsets[0].offset, -1) << "not visible before the transaction commits";
  EXPECT_TRUE(fetched.offsets[0].unstable);

  const auto partition = offsets_partition_for("eos", kPartitions);
  coordinator_.complete_txn_offsets(partition, 77, /*commit=*/true);
  fetched = coordinator_.fetch("eos", t0);
  EXPECT_EQ(fetched.offsets[0].offset, 40);
  EXPECT_FALSE(fetched.offsets[0].unstable);

  commit.items[0].value.offset = 50;
  done = start(coordinator_.commit(commit));
  coordinator_.complete_txn_offsets(partition, 77, /*commit=*/false);
  fetched = coordinator_.fetch("eos", t0);
  EXPECT_EQ(fetched.offsets[0].offset, 40) << "an aborted transaction's offsets are dropped";
  EXPECT_FALSE(fetched.offsets[0].unstable);

  // Reloaded from the log: committed once, aborted once, then one still open.
  commit.items[0].value.offset = 60;
  done = start(coordinator_.commit(commit));
  auto records = store_.log[partition];
  // Markers as the log holds them, where they were written.
  records.insert(records.begin() + 1, LoadedRecord{{}, std::nullopt, 77, true});
  records.insert(records.begin() + 3, LoadedRecord{{}, std::nullopt, 77, false});
  MemoryStore other_store;
  GroupCoordinator reloaded(make_config(), io_.get_executor(), other_store);
  reloaded.begin_loading(partition);
  reloaded.load(partition, records);
  fetched = reloaded.fetch("eos", t0);
  EXPECT_EQ(fetched.offsets[0].offset, 40);
  EXPECT_TRUE(fetched.offsets[0].unstable) << "the open transaction's commit is pending";
  reloaded.complete_txn_offsets(partition, 77, /*commit=*/true);
  EXPECT_EQ(reloaded.fetch("eos", t0).offsets[0].offset, 60);
}

TEST_F(CoordinatorTest, StaticMemberRejoinsWithoutRebalance) {
  auto a = join_new(std::string("instance-1"));
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ((*a)->error, ErrorCode::none);
  sync(**a, {{(*a)->member_id, Bytes{7}}});
  // The process restarts: a new join with the same instance id and no member id.
  auto again = start(coordinator_.join(join_request("", std::string("instance-1"))));
  ASSERT_TRUE(again->has_value());
  EXPECT_EQ((*again)->error, ErrorCode::none);
  EXPECT_EQ((*again)->generation, 1);
  EXPECT_NE((*again)->member_id, (*a)->member_id);
  EXPECT_EQ(coordinator_.find_group("g")->state, GroupState::stable);
  auto synced = sync(**again);
  EXPECT_EQ(synced.assignment, (Bytes{7}));
  // The old member id is fenced.
  EXPECT_EQ(coordinator_.heartbeat("g", 1, (*a)->member_id, std::string("instance-1")), ErrorCode::fenced_instance_id);
}

TEST_F(CoordinatorTest, ProtocolSelectionUsesWhatEveryMemberSupports) {
  Group g;
  for (auto names : {std::vector<std::string>{"range", "cooperative-sticky"},
                     std::vector<std::string>{"cooperative-sticky", "range"},
                     std::vector<std::string>{"cooperative-sticky"}}) {
    auto m = std::make_unique<Member>();
    for (auto& n : names) m->protocols.push_back({n, {}});
    g.members.push_back(std::move(m));
  }
  EXPECT_EQ(g.select_protocol(), "cooperative-sticky");
  EXPECT_FALSE(g.supports("consumer", {{"roundrobin", {}}}));
}

TEST_F(CoordinatorTest, ListAndDescribe) {
  auto a = join_new();
  sync(**a, {{(*a)->member_id, Bytes{4}}});
  auto listed = coordinator_.list({});
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].state, "Stable");
  EXPECT_TRUE(coordinator_.list({GroupState::empty}).empty());
  auto described = coordinator_.describe("g");
  EXPECT_EQ(described.protocol, "range");
  ASSERT_EQ(described.members.size(), 1u);
  EXPECT_EQ(described.members[0].assignment, (Bytes{4}));
  EXPECT_EQ(coordinator_.describe("nope").state, "Dead");
}

}  // namespace
}  // namespace conveyor::group
