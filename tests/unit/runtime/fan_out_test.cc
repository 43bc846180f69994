// fan_out: every call runs on its own shard, results come back in call
// order on the caller's shard, the caller's own shard's call runs inline
// before fan_out first suspends, and a failing call's exception reaches
// the caller after the others finish.

#include "conveyor/runtime/fan_out.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <future>
#include <stdexcept>
#include <vector>

#include "run_blocking.h"

namespace conveyor::runtime {
namespace {

namespace asio = boost::asio;

class FanOutTest : public ::testing::Test {
 protected:
  void SetUp() override { shards_.start(); }
  void TearDown() override {
    shards_.stop();
    shards_.join();
  }
  ShardSet shards_{3};
};

std::function<asio::awaitable<ShardId>()> where_am_i() {
  return []() -> asio::awaitable<ShardId> { co_return ShardSet::current(); };
}

asio::awaitable<std::vector<ShardId>> ask_every_shard(ShardSet& shards) {
  std::vector<ShardCall<ShardId>> calls{{2, where_am_i()}, {0, where_am_i()}, {1, where_am_i()}};
  auto seen = co_await fan_out(shards, std::move(calls));
  seen.push_back(ShardSet::current());
  co_return seen;
}

TEST_F(FanOutTest, EachCallRunsOnItsShardAndResultsKeepCallOrder) {
  EXPECT_EQ(run_blocking(shards_, 0, ask_every_shard(shards_)), (std::vector<ShardId>{2, 0, 1, 0}));
  EXPECT_EQ(run_blocking(shards_, 1, ask_every_shard(shards_)), (std::vector<ShardId>{2, 0, 1, 1}));
}

// The local call has run by the time fan_out first suspends: a flag it sets
// is visible to code the caller posted just before calling fan_out.
asio::awaitable<bool> local_call_runs_before_suspending(ShardSet& shards) {
  bool ran = false;
  bool seen_by_posted = false;
  auto set = [&ran]() -> asio::awaitable<int> {
    ran = true;
    co_return 1;
  };
  auto elsewhere = []() -> asio::awaitable<int> { co_return 2; };
  asio::post(shards.executor(0), [&] { seen_by_posted = ran; });
  std::vector<ShardCall<int>> calls{{1, elsewhere}, {0, set}};
  co_await fan_out(shards, std::move(calls));
  co_return seen_by_posted;
}

TEST_F(FanOutTest, TheCallersOwnShardRunsInlineBeforeTheFirstSuspension) {
  EXPECT_TRUE(run_blocking(shards_, 0, local_call_runs_before_suspending(shards_)));
}

asio::awaitable<int> one_call_throws(ShardSet& shards, ShardId failing) {
  auto fail = []() -> asio::awaitable<int> {
    throw std::runtime_error("boom");
    co_return 0;
  };
  auto fine = []() -> asio::awaitable<int> { co_return 1; };
  std::vector<ShardCall<int>> calls{{0, fine}, {failing, fail}, {2, fine}};
  auto results = co_await fan_out(shards, std::move(calls));
  co_return results[0] + results[2];
}

TEST_F(FanOutTest, AFailingCallsExceptionReachesTheCaller) {
  EXPECT_THROW(run_blocking(shards_, 0, one_call_throws(shards_, 1)), std::runtime_error);  // remote
  EXPECT_THROW(run_blocking(shards_, 0, one_call_throws(shards_, 0)), std::runtime_error);  // inline
}

}  // namespace
}  // namespace conveyor::runtime
