#include "conveyor/broker/log_maintenance.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "conveyor/broker/partition_table.h"
#include "conveyor/log/log_manager.h"

namespace conveyor::broker {

namespace asio = boost::asio;

asio::awaitable<void> retention_loop(Broker& broker, std::chrono::milliseconds interval) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_after(interval);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    std::vector<log::PartitionLog*> logs;
    broker.local().partitions->for_each([&](Partition& p) { logs.push_back(&p.log()); });
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    // Segment deletion is an unlink per file: short enough for the shard.
    if (const auto deleted = log::LogManager::enforce_retention(logs, now_ms); deleted > 0) {
      spdlog::info("retention deleted {} segment(s)", deleted);
    }
  }
}

void close_shard_logs(Broker& broker) {
  broker.local().partitions->for_each([](Partition& p) { p.log().close(); });
}

}  // namespace conveyor::broker
