#pragma once
// Test helper: runs a coroutine on a shard and blocks the test thread until
// it finishes, returning its value or rethrowing its exception.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <exception>
#include <future>

#include "conveyor/runtime/shard_set.h"

namespace conveyor::runtime {

template <typename T>
T run_blocking(ShardSet& shards, ShardId shard, boost::asio::awaitable<T> task) {
  std::promise<T> result;
  boost::asio::co_spawn(shards.executor(shard), std::move(task), [&](std::exception_ptr e, T value) {
    if (e) {
      result.set_exception(e);
    } else {
      result.set_value(std::move(value));
    }
  });
  return result.get_future().get();
}

}  // namespace conveyor::runtime
