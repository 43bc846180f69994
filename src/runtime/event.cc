#include "conveyor/runtime/event.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace conveyor::runtime {

namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;

asio::awaitable<void> Event::wait() {
  co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<bool> Event::wait_until(std::chrono::steady_clock::time_point deadline) {
  asio::steady_timer timeout(timer_.get_executor(), deadline);
  auto result = co_await (timer_.async_wait(asio::as_tuple(asio::use_awaitable)) ||
                          timeout.async_wait(asio::as_tuple(asio::use_awaitable)));
  co_return result.index() == 0;
}

}  // namespace conveyor::runtime
