#include "conveyor/broker/fetch_wakeup.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace conveyor::broker {

namespace asio = boost::asio;

void FetchWakeup::fire() {
  auto wake = [self = shared_from_this()] {
    self->fired_ = true;
    self->timer_.cancel();
  };
  asio::post(origin_, std::move(wake));
}

asio::awaitable<void> FetchWakeup::wait() {
  // fired_ is set on this shard by the posted wake, so it is either already
  // true here or the cancel arrives while the wait below is pending.
  if (fired_) co_return;
  co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
}

void DataWaiters::add(const std::shared_ptr<FetchWakeup>& wakeup) {
  // Drop wake-ups of fetches that have finished, so that long polls on an
  // idle partition do not accumulate.
  if (waiters_.size() >= 16) {
    std::erase_if(waiters_, [](const std::weak_ptr<FetchWakeup>& w) { return w.expired(); });
  }
  waiters_.push_back(wakeup);
}

void DataWaiters::notify_all() {
  auto waiters = std::move(waiters_);
  waiters_.clear();
  for (auto& weak : waiters) {
    if (auto wakeup = weak.lock()) wakeup->fire();
  }
}

}  // namespace conveyor::broker
