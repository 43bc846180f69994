#include "conveyor/broker/wait_durable.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "conveyor/log/flush_scheduler.h"
#include "conveyor/log/partition_log.h"

namespace conveyor::broker {

namespace asio = boost::asio;

asio::awaitable<std::vector<bool>> wait_durable(
    std::vector<std::shared_ptr<log::PartitionLog>> logs) {
  if (logs.empty()) co_return std::vector<bool>{};
  const auto shard = co_await asio::this_coro::executor;
  struct State {
    State(const asio::any_io_executor& executor, std::size_t n)
        : durable(n, false), remaining(n), done(executor, asio::steady_timer::time_point::max()) {}
    std::vector<bool> durable;  // this shard only
    std::size_t remaining;      // this shard only
    asio::steady_timer done;
  };
  auto state = std::make_shared<State>(shard, logs.size());
  {
    // One round for all of them: without the hold, the first request wakes
    // the flusher and its round starts before the others are queued. (Ends
    // before the co_await below.)
    log::FlushScheduler::Hold hold_until_all_are_queued;
    for (std::size_t i = 0; i < logs.size(); ++i) {
      // Runs on the flusher thread: hop back before touching the state.
      auto flushed = [state, shard, i](std::int64_t durable_end_offset) {
        auto count_down = [state, i, ok = durable_end_offset >= 0] {
          state->durable[i] = ok;
          if (--state->remaining == 0) state->done.cancel();
        };
        asio::post(shard, std::move(count_down));
      };
      logs[i]->request_flush(std::move(flushed));
    }
  }
  while (state->remaining > 0) {
    co_await state->done.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  co_return state->durable;
}

}  // namespace conveyor::broker
