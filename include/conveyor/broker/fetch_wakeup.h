#pragma once
// Long-poll wake-ups for Fetch. A Fetch that found fewer than min_bytes waits
// on its own shard, but the data it waits for arrives on the shards that own
// its partitions. So the Fetch registers one FetchWakeup with every partition
// it read (on that partition's shard, in the same step as the read, so no
// append can slip between the read and the registration); the next append to
// any of them fires it, which posts the wake-up back to the Fetch's shard.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <vector>

namespace conveyor::broker {

class FetchWakeup : public std::enable_shared_from_this<FetchWakeup> {
 public:
  FetchWakeup(const boost::asio::any_io_executor& origin, std::chrono::steady_clock::time_point deadline)
      : origin_(origin), timer_(origin, deadline) {}

  // Any thread: schedules the wake-up on the origin shard.
  void fire();
  // Origin shard only: returns at fire() or the deadline, at once if fired already.
  boost::asio::awaitable<void> wait();

 private:
  boost::asio::any_io_executor origin_;
  boost::asio::steady_timer timer_;
  bool fired_ = false;  // origin shard only
};

// The wake-ups registered with one partition. Shard-local, not locked.
class DataWaiters {
 public:
  void add(const std::shared_ptr<FetchWakeup>& wakeup);
  // After an append: fires and forgets every registered wake-up.
  void notify_all();
  std::size_t size() const { return waiters_.size(); }

 private:
  // Weak: a Fetch that timed out must not be kept alive by an idle partition.
  std::vector<std::weak_ptr<FetchWakeup>> waiters_;
};

}  // namespace conveyor::broker
