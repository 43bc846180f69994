#pragma once
// fan_out: run several calls, each on its own shard, at the same time, and
// resume on the caller's shard when all are done, with their results in call
// order.
//
// Every call is posted before fan_out first suspends. A handler that
// co_awaits fan_out before any other suspension therefore posts its work
// before the next request of the same connection is even started — which is
// what keeps a connection's pipelined produce requests in order per partition
// (posting is FIFO per shard, see run_on.h).
//
// Each call is a std::function returning an awaitable, so a call may itself
// wait on its shard (for a group-commit fsync, say) without blocking others.
// An exception thrown by a call is rethrown to the caller after all finish.
//
// A call for the caller's own shard is not posted: after the other calls
// are posted it runs inline, up to its first suspension, before fan_out
// first suspends. That saves a trip through the event loop for the common
// case (the partition lives where the connection does) and keeps the
// ordering promise above — a later request's inline work cannot overtake
// this one's.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <functional>
#include <memory>
#include <vector>

#include "conveyor/runtime/shard_set.h"

namespace conveyor::runtime {

template <typename R>
struct ShardCall {
  ShardId shard;
  std::function<boost::asio::awaitable<R>()> work;
};

template <typename R>
boost::asio::awaitable<std::vector<R>> fan_out(ShardSet& shards, std::vector<ShardCall<R>> calls) {
  namespace asio = boost::asio;
  struct State {
    explicit State(const asio::any_io_executor& origin, std::size_t n)
        : results(n), remaining(n), all_done(origin, asio::steady_timer::time_point::max()) {}
    std::vector<R> results;
    std::size_t remaining;  // touched on the origin shard only
    std::exception_ptr failure;
    asio::steady_timer all_done;
  };
  const auto origin = co_await asio::this_coro::executor;
  const ShardId here = ShardSet::current();
  auto state = std::make_shared<State>(origin, calls.size());
  std::vector<std::size_t> local;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    if (calls[i].shard == here) {
      local.push_back(i);
      continue;
    }
    auto finished = [state, i, origin](std::exception_ptr failure, R result) {
      auto record = [state, i, failure, result = std::move(result)]() mutable {
        if (failure && !state->failure) state->failure = failure;
        state->results[i] = std::move(result);
        if (--state->remaining == 0) state->all_done.cancel();
      };
      asio::post(origin, std::move(record));
    };
    asio::co_spawn(shards.executor(calls[i].shard), std::move(calls[i].work), std::move(finished));
  }
  for (const std::size_t i : local) {
    try {
      state->results[i] = co_await calls[i].work();
    } catch (...) {
      if (!state->failure) state->failure = std::current_exception();
    }
    --state->remaining;
  }
  while (state->remaining > 0) {
    co_await state->all_done.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (state->failure) std::rethrow_exception(state->failure);
  co_return std::move(state->results);
}

}  // namespace conveyor::runtime
