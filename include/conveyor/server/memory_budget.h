#pragma once
// MemoryBudget: bounds the bytes of requests that one shard has read but not
// yet answered (its share of queued.max.request.bytes). A connection acquires
// a request's size before allocating its buffer and releases it when the
// response has been written; while the budget is spent, readers wait, so a
// flood of requests turns into TCP back-pressure instead of memory growth.
//
// A request larger than the whole budget is admitted when nothing else is in
// use, so it can never deadlock. Shard-local: not thread-safe.

#include <boost/asio/awaitable.hpp>
#include <cstddef>

#include "conveyor/runtime/event.h"

namespace conveyor::server {

class MemoryBudget {
 public:
  MemoryBudget(const boost::asio::any_io_executor& executor, std::size_t capacity)
      : capacity_(capacity), released_(executor) {}

  boost::asio::awaitable<void> acquire(std::size_t bytes);
  void release(std::size_t bytes);
  std::size_t in_use() const { return in_use_; }
  std::size_t capacity() const { return capacity_; }

 private:
  bool fits(std::size_t bytes) const { return in_use_ == 0 || in_use_ + bytes <= capacity_; }

  std::size_t capacity_;
  std::size_t in_use_ = 0;
  runtime::Event released_;
};

}  // namespace conveyor::server
