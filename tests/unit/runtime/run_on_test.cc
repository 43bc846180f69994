// Cross-shard calls: results come back to the caller's shard, calls posted
// in order run in order, and values captured or passed by value survive the
// hops (checked under ASan in CI: GCC 12 has coroutine lifetime bugs).

#include "conveyor/runtime/run_on.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "conveyor/runtime/event.h"
#include "run_blocking.h"

namespace conveyor::runtime {
namespace {

namespace asio = boost::asio;

class RunOnTest : public ::testing::Test {
 protected:
  void SetUp() override { shards_.start(); }
  void TearDown() override {
    shards_.stop();
    shards_.join();
  }
  ShardSet shards_{2};
};

asio::awaitable<std::vector<ShardId>> hop(ShardSet& shards) {
  std::vector<ShardId> seen{ShardSet::current()};
  auto where = [] { return ShardSet::current(); };
  seen.push_back(co_await run_on(shards, 1, where));
  seen.push_back(ShardSet::current());
  co_return seen;
}

TEST_F(RunOnTest, RunsOnTheTargetAndResumesOnTheCaller) {
  EXPECT_EQ(run_blocking(shards_, 0, hop(shards_)), (std::vector<ShardId>{0, 1, 0}));
}

asio::awaitable<std::string> by_value(std::vector<std::shared_ptr<std::string>> parts, std::string suffix) {
  asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(1));
  co_await timer.async_wait(asio::use_awaitable);
  std::string out;
  for (const auto& p : parts) out += *p;
  co_return out + suffix;
}

asio::awaitable<std::string> captures_survive(ShardSet& shards) {
  auto text = std::make_shared<std::string>("shard");
  auto on_other = [text]() -> asio::awaitable<std::string> {
    asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(1));
    co_await timer.async_wait(asio::use_awaitable);
    co_return *text + "-" + std::to_string(ShardSet::current());
  };
  std::string a = co_await run_on(shards, 1, on_other);
  std::vector<std::shared_ptr<std::string>> parts{std::make_shared<std::string>("x"), text};
  std::string b = co_await by_value(std::move(parts), std::string(40, '!'));
  co_return a + "/" + b + "/" + std::to_string(text.use_count());
}

TEST_F(RunOnTest, CapturesAndByValueArgumentsSurviveSuspension) {
  EXPECT_EQ(run_blocking(shards_, 0, captures_survive(shards_)),
            "shard-1/xshard" + std::string(40, '!') + "/1");
}

asio::awaitable<std::vector<int>> fifo(ShardSet& shards) {
  auto order = std::make_shared<std::vector<int>>();
  std::vector<asio::awaitable<void>> calls;
  for (int i = 0; i < 50; ++i) {
    auto append = [order, i] { order->push_back(i); };
    calls.push_back(run_on(shards, 1, append));
  }
  for (auto& call : calls) co_await std::move(call);
  co_return *order;
}

TEST_F(RunOnTest, CallsRunInTheOrderTheyWereMade) {
  std::vector<int> expected(50);
  for (int i = 0; i < 50; ++i) expected[i] = i;
  EXPECT_EQ(run_blocking(shards_, 0, fifo(shards_)), expected);
}

asio::awaitable<int> event_wakes(ShardSet&) {
  Event event(co_await asio::this_coro::executor);
  int state = 0;
  auto waiter = [&]() -> asio::awaitable<void> {
    while (state == 0) co_await event.wait();
  };
  asio::co_spawn(co_await asio::this_coro::executor, waiter(), asio::detached);
  state = 1;
  event.notify_all();
  const bool notified = co_await event.wait_until(std::chrono::steady_clock::now() + std::chrono::milliseconds(20));
  co_return notified ? -1 : state;  // nobody notifies the second wait: it times out
}

TEST_F(RunOnTest, EventWakesWaitersAndTimesOut) { EXPECT_EQ(run_blocking(shards_, 0, event_wakes(shards_)), 1); }

}  // namespace
}  // namespace conveyor::runtime
