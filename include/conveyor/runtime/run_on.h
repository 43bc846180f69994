#pragma once
// Cross-shard calls: `co_await run_on(shards, target, fn)` runs `fn` on the
// target shard's thread and resumes the caller on its own shard with fn's
// result. `fn` may return a value, void, or an awaitable (then the whole
// coroutine runs on the target shard).
//
// Posting is FIFO per shard, so two calls posted in order from one shard run
// in that order on the target — the produce path relies on this to keep a
// connection's appends to a partition in request order.
//
// `fn` must be a named lvalue; run_on moves from it. GCC 12 destroys a lambda
// temporary written inside a co_await expression twice (a compiler bug, see
// docs/architecture.md), so `co_await run_on(s, t, [x] {...})` must not
// compile. Write `auto work = [x] {...}; co_await run_on(s, t, work);`.
// run_on is not a coroutine itself: it only wraps co_spawn, so `fn` (and what
// it captures) lives in exactly one place, the spawned coroutine's frame.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <type_traits>
#include <utility>

#include "conveyor/runtime/shard_set.h"

namespace conveyor::runtime {

template <typename T>
struct is_awaitable : std::false_type {};
template <typename T, typename E>
struct is_awaitable<boost::asio::awaitable<T, E>> : std::true_type {};

template <typename Fn>
auto run_on(ShardSet& shards, ShardId target, Fn& fn) {
  using Returned = std::invoke_result_t<Fn&>;
  if constexpr (is_awaitable<Returned>::value) {
    return boost::asio::co_spawn(shards.executor(target), std::move(fn), boost::asio::use_awaitable);
  } else {
    struct Call {
      Fn fn;
      boost::asio::awaitable<Returned> operator()() { co_return fn(); }
    };
    return boost::asio::co_spawn(shards.executor(target), Call{std::move(fn)}, boost::asio::use_awaitable);
  }
}

}  // namespace conveyor::runtime
