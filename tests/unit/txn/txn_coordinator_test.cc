// The transaction coordinator driven on a plain io_context with an
// in-memory backend: its __transaction_state records, the markers it
// writes, and what it answers while a change is in flight.

#include "conveyor/txn/txn_coordinator.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "conveyor/base/wall_clock.h"
#include "conveyor/runtime/event.h"
#include "conveyor/txn/txn_records.h"

namespace conveyor::txn {
namespace {

namespace asio = boost::asio;
using protocol::ErrorCode;

struct WrittenMarker {
  TopicPartition target;
  log::TxnMarker marker;
};

class FakeBackend final : public TxnBackend {
 public:
  explicit FakeBackend(const asio::any_io_executor& executor) : gate_(executor) {}

  asio::awaitable<ErrorCode> append(std::int32_t partition, std::vector<broker::InternalRecord> records,
                                    bool /*durable*/) override {
    if (fail_appends > 0) {
      --fail_appends;
      co_return ErrorCode::coordinator_not_available;
    }
    for (auto& r : records) log[partition].push_back(std::move(r));
    co_return ErrorCode::none;
  }

  asio::awaitable<std::vector<ErrorCode>> write_markers(std::vector<TopicPartition> targets,
                                                        log::TxnMarker marker) override {
    while (hold_markers) co_await gate_.wait();
    std::vector<ErrorCode> errors;
    for (const auto& t : targets) {
      if (auto it = marker_failures.find(t); it != marker_failures.end() && it->second > 0) {
        --it->second;
        errors.push_back(ErrorCode::not_leader_or_follower);
        continue;
      }
      markers.push_back({t, marker});
      errors.push_back(ErrorCode::none);
    }
    co_return errors;
  }

  asio::awaitable<std::optional<std::int64_t>> allocate_producer_id() override {
    co_return next_producer_id++;
  }

  void release_markers() {
    hold_markers = false;
    gate_.notify_all();
  }

  // The states stored for `id` in partition `partition`, in log order.
  std::vector<TxnState> states(std::int32_t partition, const std::string& id) const {
    std::vector<TxnState> out;
    if (!log.contains(partition)) return out;
    for (const auto& r : log.at(partition)) {
      if (decode_txn_key(r.key) != id || !r.value) continue;
      out.push_back(decode_txn_value(id, *r.value)->state);
    }
    return out;
  }

  std::map<std::int32_t, std::vector<broker::InternalRecord>> log;
  std::vector<WrittenMarker> markers;
  std::map<TopicPartition, int> marker_failures;
  int fail_appends = 0;
  bool hold_markers = false;
  std::int64_t next_producer_id = 5000;

 private:
  runtime::Event gate_;
};

class TxnCoordinatorTest : public ::testing::Test {
 protected:
  static constexpr std::int32_t kCoordinatorEpoch = 5;

  TxnCoordinatorTest()
      : backend_(io_.get_executor()), coordinator_(make_config(), io_.get_executor(), backend_) {
    coordinator_.begin_loading(0, 1, kCoordinatorEpoch);
    coordinator_.load(0, {});
  }

  static TxnCoordinatorConfig make_config() {
    TxnCoordinatorConfig c;
    c.max_timeout_ms = 900000;
    c.id_expiration_ms = 60000;
    c.marker_retry_backoff = std::chrono::milliseconds(1);
    return c;
  }

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
  // Runs until nothing is ready and no timer is due within a few ms.
  void settle() {
    for (int i = 0; i < 50; ++i) {
      io_.restart();
      if (io_.run_for(std::chrono::milliseconds(2)) == 0 && i > 2) break;
    }
  }
  // Runs until `out` has its value (or 10 s pass): an operation that retries
  // on timers may find no handler ready within settle()'s short windows when
  // the machine stalls (sanitizer builds, a busy VM).
  template <typename T>
  void run_until_done(const std::shared_ptr<std::optional<T>>& out) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!out->has_value() && std::chrono::steady_clock::now() < deadline) {
      io_.restart();
      io_.run_one_for(std::chrono::milliseconds(100));
    }
  }
  template <typename T>
  T finish(asio::awaitable<T> work) {
    auto out = start(std::move(work));
    run_until_done(out);
    EXPECT_TRUE(out->has_value()) << "the operation did not finish";
    return out->value_or(T{});
  }

  InitResult init(const std::string& id, std::int32_t timeout_ms = 60000,
                  std::optional<ProducerIdAndEpoch> expected = std::nullopt) {
    return finish(coordinator_.init_producer_id(id, timeout_ms, expected));
  }
  ErrorCode add(const std::string& id, const InitResult& producer,
                std::set<TopicPartition> partitions) {
    return finish(
        coordinator_.add_partitions(id, producer.producer_id, producer.producer_epoch, partitions));
  }
  ErrorCode end(const std::string& id, const InitResult& producer, bool commit) {
    return finish(coordinator_.end_txn(id, producer.producer_id, producer.producer_epoch, commit));
  }
  asio::awaitable<int> expire(std::int64_t now_ms) {
    co_await coordinator_.expire_ids(now_ms);
    co_return 0;
  }

  asio::io_context io_;
  FakeBackend backend_;
  TxnCoordinator coordinator_;
};

TEST_F(TxnCoordinatorTest, NewIdGetsAFreshProducerIdThenEpochBumps) {
  const auto first = init("app");
  EXPECT_EQ(first.error, ErrorCode::none);
  EXPECT_EQ(first.producer_id, 5000);
  EXPECT_EQ(first.producer_epoch, 0);
  const auto second = init("app");
  EXPECT_EQ(second.producer_id, 5000);
  EXPECT_EQ(second.producer_epoch, 1);
  EXPECT_EQ(backend_.states(0, "app"), (std::vector<TxnState>{TxnState::empty, TxnState::empty}));
  EXPECT_EQ(init("other").producer_id, 5001);
}

TEST_F(TxnCoordinatorTest, InvalidRequests) {
  EXPECT_EQ(init("app", 0).error, ErrorCode::invalid_transaction_timeout);
  EXPECT_EQ(init("app", 900001).error, ErrorCode::invalid_transaction_timeout);
  EXPECT_EQ(init("").error, ErrorCode::invalid_request);
  EXPECT_EQ(finish(coordinator_.add_partitions("nobody", 1, 0, {{"t", 0}})),
            ErrorCode::invalid_producer_id_mapping);
  EXPECT_EQ(finish(coordinator_.end_txn("nobody", 1, 0, true)),
            ErrorCode::invalid_producer_id_mapping);
}

TEST_F(TxnCoordinatorTest, CommitWritesMarkersThenCompletes) {
  const auto p = init("app");
  EXPECT_EQ(add("app", p, {{"t", 0}, {"t", 1}}), ErrorCode::none);
  EXPECT_EQ(add("app", p, {{"t", 1}}), ErrorCode::none);  // already in: nothing written
  EXPECT_EQ(coordinator_.find("app")->state, TxnState::ongoing);
  EXPECT_EQ(end("app", p, true), ErrorCode::none);
  ASSERT_EQ(backend_.markers.size(), 2u);
  for (const auto& m : backend_.markers) {
    EXPECT_TRUE(m.marker.commit);
    EXPECT_EQ(m.marker.producer_id, p.producer_id);
    EXPECT_EQ(m.marker.producer_epoch, p.producer_epoch);
    EXPECT_EQ(m.marker.coordinator_epoch, kCoordinatorEpoch);
  }
  EXPECT_EQ(backend_.states(0, "app"),
            (std::vector<TxnState>{TxnState::empty, TxnState::ongoing, TxnState::prepare_commit,
                                   TxnState::complete_commit}));
  EXPECT_TRUE(coordinator_.find("app")->partitions.empty());
  // A retried EndTxn: NONE; the other outcome: INVALID_TXN_STATE. No more markers.
  EXPECT_EQ(end("app", p, true), ErrorCode::none);
  EXPECT_EQ(end("app", p, false), ErrorCode::invalid_txn_state);
  EXPECT_EQ(backend_.markers.size(), 2u);
  // The next transaction starts from CompleteCommit.
  EXPECT_EQ(add("app", p, {{"u", 0}}), ErrorCode::none);
  EXPECT_EQ(end("app", p, false), ErrorCode::none);
  EXPECT_FALSE(backend_.markers.back().marker.commit);
  EXPECT_EQ(coordinator_.find("app")->state, TxnState::complete_abort);
}

TEST_F(TxnCoordinatorTest, EndTxnWithoutATransactionIsAnInvalidState) {
  const auto p = init("app");
  EXPECT_EQ(end("app", p, true), ErrorCode::invalid_txn_state);
}

TEST_F(TxnCoordinatorTest, RequestsDuringMarkersAskForARetry) {
  const auto p = init("app");
  EXPECT_EQ(add("app", p, {{"t", 0}}), ErrorCode::none);
  backend_.hold_markers = true;
  auto ending = start(coordinator_.end_txn("app", p.producer_id, p.producer_epoch, true));
  EXPECT_FALSE(ending->has_value()) << "answered only after the markers";
  EXPECT_EQ(coordinator_.find("app")->state, TxnState::prepare_commit);
  EXPECT_EQ(add("app", p, {{"t", 1}}), ErrorCode::concurrent_transactions);
  EXPECT_EQ(end("app", p, true), ErrorCode::concurrent_transactions);
  EXPECT_EQ(init("app").error, ErrorCode::concurrent_transactions);
  backend_.release_markers();
  run_until_done(ending);
  ASSERT_TRUE(ending->has_value());
  EXPECT_EQ(**ending, ErrorCode::none);
  EXPECT_EQ(coordinator_.find("app")->state, TxnState::complete_commit);
}

TEST_F(TxnCoordinatorTest, FailedMarkersAreRetried) {
  const auto p = init("app");
  EXPECT_EQ(add("app", p, {{"t", 0}, {"t", 1}}), ErrorCode::none);
  backend_.marker_failures[{"t", 1}] = 3;
  EXPECT_EQ(end("app", p, true), ErrorCode::none);
  ASSERT_EQ(backend_.markers.size(), 2u);
  EXPECT_EQ(backend_.markers[1].target, (TopicPartition{"t", 1}));
  EXPECT_EQ(coordinator_.find("app")->state, TxnState::complete_commit);
}

TEST_F(TxnCoordinatorTest, FailedAppendLeavesTheStateAsItWas) {
  const auto p = init("app");
  backend_.fail_appends = 1;
  EXPECT_EQ(add("app", p, {{"t", 0}}), ErrorCode::coordinator_not_available);
  EXPECT_EQ(coordinator_.find("app")->state, TxnState::empty);
  EXPECT_FALSE(coordinator_.is_pending("app"));
  EXPECT_EQ(add("app", p, {{"t", 0}}), ErrorCode::none);
}

TEST_F(TxnCoordinatorTest, NewInstanceAbortsTheOpenTransactionAndFencesTheOldOne) {
  const auto old = init("app");
  EXPECT_EQ(add("app", old, {{"t", 0}, {"t", 2}}), ErrorCode::none);
  const auto fresh = init("app");
  EXPECT_EQ(fresh.error, ErrorCode::none);
  EXPECT_EQ(fresh.producer_id, old.producer_id);
  EXPECT_EQ(fresh.producer_epoch, old.producer_epoch + 2);
  // The ABORT markers carry the first bump, so every partition fences the old epoch.
  ASSERT_EQ(backend_.markers.size(), 2u);
  for (const auto& m : backend_.markers) {
    EXPECT_FALSE(m.marker.commit);
    EXPECT_EQ(m.marker.producer_epoch, old.producer_epoch + 1);
  }
  EXPECT_EQ(end("app", old, true), ErrorCode::producer_fenced);
  EXPECT_EQ(add("app", old, {{"t", 0}}), ErrorCode::producer_fenced);
  // KIP-360: the old instance may not take the id back with its epoch.
  EXPECT_EQ(init("app", 60000, ProducerIdAndEpoch{old.producer_id, old.producer_epoch}).error,
            ErrorCode::producer_fenced);
}

TEST_F(TxnCoordinatorTest, Kip360BumpAndItsRetry) {
  const auto p = init("app");
  const ProducerIdAndEpoch mine{p.producer_id, p.producer_epoch};
  const auto bumped = init("app", 60000, mine);
  EXPECT_EQ(bumped.producer_epoch, p.producer_epoch + 1);
  const auto retried = init("app", 60000, mine);
  EXPECT_EQ(retried.error, ErrorCode::none);
  EXPECT_EQ(retried.producer_epoch, bumped.producer_epoch);
}

TEST_F(TxnCoordinatorTest, ExhaustedEpochGetsANewProducerId) {
  TxnMetadata m;
  m.transactional_id = "old";
  m.producer_id = 77;
  m.producer_epoch = 32766;
  m.timeout_ms = 60000;
  m.state = TxnState::complete_commit;
  m.last_update_ms = wall_clock_ms();
  TxnCoordinator coordinator(make_config(), io_.get_executor(), backend_);
  coordinator.begin_loading(0, 1, 0);
  coordinator.load(0, {{encode_txn_key("old"), encode_txn_value(m)}});
  const auto result = finish(coordinator.init_producer_id("old", 60000, std::nullopt));
  EXPECT_EQ(result.error, ErrorCode::none);
  EXPECT_EQ(result.producer_id, 5000);
  EXPECT_EQ(result.producer_epoch, 0);
  EXPECT_EQ(coordinator.find("old")->last_producer_id, 77);
}

TEST_F(TxnCoordinatorTest, TimedOutTransactionIsAbortedAndItsProducerFenced) {
  const auto p = init("app", 1000);
  EXPECT_EQ(add("app", p, {{"t", 0}}), ErrorCode::none);
  coordinator_.abort_timed_out(wall_clock_ms());
  settle();
  EXPECT_EQ(coordinator_.find("app")->state, TxnState::ongoing) << "not yet";
  coordinator_.abort_timed_out(wall_clock_ms() + 1001);
  settle();
  const auto* m = coordinator_.find("app");
  EXPECT_EQ(m->state, TxnState::complete_abort);
  EXPECT_EQ(m->producer_epoch, p.producer_epoch + 1);
  ASSERT_EQ(backend_.markers.size(), 1u);
  EXPECT_FALSE(backend_.markers[0].marker.commit);
  EXPECT_EQ(backend_.markers[0].marker.producer_epoch, p.producer_epoch + 1);
  EXPECT_EQ(end("app", p, true), ErrorCode::producer_fenced);
  EXPECT_EQ(add("app", p, {{"t", 0}}), ErrorCode::producer_fenced);
  EXPECT_EQ(backend_.states(0, "app").back(), TxnState::complete_abort);
}

TEST_F(TxnCoordinatorTest, LoadCompletesPreparedTransactionsAndKeepsTheRest) {
  auto stored = [](std::string id, TxnState state) {
    TxnMetadata m;
    m.transactional_id = id;
    m.producer_id = 10;
    m.producer_epoch = 3;
    m.timeout_ms = 60000;
    m.state = state;
    if (state != TxnState::empty) {
      m.partitions = {{"t", 0}, {"u", 1}};
      m.start_timestamp_ms = wall_clock_ms();
    }
    m.last_update_ms = wall_clock_ms();
    return broker::InternalRecord{encode_txn_key(id), encode_txn_value(m)};
  };
  std::vector<broker::InternalRecord> records;
  records.push_back(stored("prepared", TxnState::ongoing));
  records.push_back(stored("prepared", TxnState::prepare_commit));
  records.push_back(stored("open", TxnState::ongoing));
  records.push_back(stored("gone", TxnState::empty));
  records.push_back({encode_txn_key("gone"), std::nullopt});
  records.push_back({{1, 2, 3}, std::vector<std::uint8_t>{4}});  // not ours: skipped

  FakeBackend backend(io_.get_executor());
  TxnCoordinator coordinator(make_config(), io_.get_executor(), backend);
  coordinator.begin_loading(0, 1, 9);
  EXPECT_EQ(finish(coordinator.end_txn("open", 10, 3, true)),
            ErrorCode::coordinator_load_in_progress);
  coordinator.load(0, records);
  settle();
  ASSERT_EQ(backend.markers.size(), 2u);
  EXPECT_TRUE(backend.markers[0].marker.commit);
  EXPECT_EQ(backend.markers[0].marker.coordinator_epoch, 9);
  EXPECT_EQ(coordinator.find("prepared")->state, TxnState::complete_commit);
  EXPECT_EQ(backend.states(0, "prepared"), (std::vector<TxnState>{TxnState::complete_commit}));
  EXPECT_EQ(coordinator.find("open")->state, TxnState::ongoing);
  EXPECT_EQ(coordinator.find("gone"), nullptr);
  // The open transaction's producer can still finish it.
  EXPECT_EQ(finish(coordinator.end_txn("open", 10, 3, false)), ErrorCode::none);
  EXPECT_EQ(coordinator.find("open")->state, TxnState::complete_abort);
}

TEST_F(TxnCoordinatorTest, PartitionsNotHereOrLoading) {
  TxnCoordinator coordinator(make_config(), io_.get_executor(), backend_);
  EXPECT_EQ(finish(coordinator.init_producer_id("a", 1000, std::nullopt)).error,
            ErrorCode::not_coordinator);
  coordinator.begin_loading(0, 2, 0);
  std::string here, elsewhere;
  for (int i = 0; here.empty() || elsewhere.empty(); ++i) {
    const auto id = "id-" + std::to_string(i);
    (txn_partition_for(id, 2) == 0 ? here : elsewhere) = id;
  }
  EXPECT_EQ(finish(coordinator.init_producer_id(here, 1000, std::nullopt)).error,
            ErrorCode::coordinator_load_in_progress);
  EXPECT_EQ(finish(coordinator.init_producer_id(elsewhere, 1000, std::nullopt)).error,
            ErrorCode::not_coordinator);
  EXPECT_EQ(coordinator.list({}, 0).error, ErrorCode::coordinator_load_in_progress);
  coordinator.load(0, {});
  EXPECT_EQ(finish(coordinator.init_producer_id(here, 1000, std::nullopt)).error, ErrorCode::none);
}

TEST_F(TxnCoordinatorTest, UnloadDuringMarkersAnswersNotCoordinator) {
  const auto p = init("app");
  EXPECT_EQ(add("app", p, {{"t", 0}}), ErrorCode::none);
  backend_.hold_markers = true;
  auto ending = start(coordinator_.end_txn("app", p.producer_id, p.producer_epoch, true));
  coordinator_.unload(0);
  backend_.release_markers();
  run_until_done(ending);
  ASSERT_TRUE(ending->has_value());
  EXPECT_EQ(**ending, ErrorCode::not_coordinator);
  EXPECT_EQ(coordinator_.find("app"), nullptr);
}

TEST_F(TxnCoordinatorTest, IdleIdsExpireWithATombstone) {
  const auto idle = init("idle");
  const auto busy = init("busy");
  EXPECT_EQ(add("busy", busy, {{"t", 0}}), ErrorCode::none);
  (void)idle;
  finish(expire(wall_clock_ms() + 60001));
  EXPECT_EQ(coordinator_.find("idle"), nullptr);
  ASSERT_NE(coordinator_.find("busy"), nullptr);
  const auto& last = backend_.log[0].back();
  EXPECT_EQ(decode_txn_key(last.key), "idle");
  EXPECT_FALSE(last.value.has_value());
  // Coming back later is a new id with a new producer id.
  EXPECT_EQ(init("idle").producer_id, busy.producer_id + 1);
}

TEST_F(TxnCoordinatorTest, DescribeAndList) {
  const auto a = init("a");
  const auto b = init("b");
  EXPECT_EQ(add("a", a, {{"t", 0}, {"t", 3}}), ErrorCode::none);
  const auto described = coordinator_.describe("a");
  EXPECT_EQ(described.error, ErrorCode::none);
  EXPECT_EQ(described.metadata.state, TxnState::ongoing);
  EXPECT_EQ(described.metadata.partitions.size(), 2u);
  EXPECT_EQ(coordinator_.describe("nope").error, ErrorCode::transactional_id_not_found);
  EXPECT_EQ(coordinator_.describe("").error, ErrorCode::invalid_request);

  EXPECT_EQ(coordinator_.list({}, wall_clock_ms()).transactions.size(), 2u);
  ListFilter ongoing;
  ongoing.states = {TxnState::ongoing};
  auto listed = coordinator_.list(ongoing, wall_clock_ms());
  ASSERT_EQ(listed.transactions.size(), 1u);
  EXPECT_EQ(listed.transactions[0].transactional_id, "a");
  ListFilter by_producer;
  by_producer.producer_ids = {b.producer_id};
  listed = coordinator_.list(by_producer, wall_clock_ms());
  ASSERT_EQ(listed.transactions.size(), 1u);
  EXPECT_EQ(listed.transactions[0].transactional_id, "b");
  ListFilter long_running;
  long_running.states = {TxnState::ongoing};
  long_running.min_duration_ms = 60000;
  EXPECT_TRUE(coordinator_.list(long_running, wall_clock_ms()).transactions.empty());
  EXPECT_EQ(coordinator_.list(long_running, wall_clock_ms() + 60001).transactions.size(), 1u);
}

}  // namespace
}  // namespace conveyor::txn
