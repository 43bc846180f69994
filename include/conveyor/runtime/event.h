#pragma once
// Event: wakes coroutines of one shard waiting for "something changed".
// Waiters re-check their condition after waking (there is no payload), so a
// notification between a check and the wait cannot be lost: on a single
// shard thread nothing runs between the check and the start of the wait.
// Not thread-safe: create, wait and notify on the owning shard only.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>

namespace conveyor::runtime {

class Event {
 public:
  explicit Event(const boost::asio::any_io_executor& executor)
      : timer_(executor, boost::asio::steady_timer::time_point::max()) {}

  // Suspends until the next notify_all().
  boost::asio::awaitable<void> wait();
  // Suspends until notify_all() or `deadline`; returns false on timeout.
  boost::asio::awaitable<bool> wait_until(std::chrono::steady_clock::time_point deadline);
  void notify_all() { timer_.cancel(); }

 private:
  boost::asio::steady_timer timer_;
};

}  // namespace conveyor::runtime
