#include "conveyor/broker/log_maintenance.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <unordered_map>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "conveyor/base/wall_clock.h"
#include "conveyor/broker/partition_table.h"
#include "conveyor/log/log_cleaner.h"
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
    const auto now_ms = wall_clock_ms();
    // Segment deletion is an unlink per file: short enough for the shard.
    if (const auto deleted = log::LogManager::enforce_retention(logs, now_ms); deleted > 0) {
      spdlog::info("retention deleted {} segment(s)", deleted);
    }
  }
}

asio::awaitable<void> checkpoint_loop(Broker& broker, std::chrono::milliseconds interval) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  // Recovery point at the last checkpoint, per log of this shard.
  std::unordered_map<const log::PartitionLog*, std::int64_t> written;
  for (;;) {
    timer.expires_after(interval);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    std::unordered_map<const log::PartitionLog*, std::int64_t> now_written;
    broker.local().partitions->for_each([&](Partition& p) {
      auto& log = p.log();
      const auto it = written.find(&log);
      const std::int64_t point = log.recovery_point();
      // A checkpoint is a small file written, fsync'd and renamed; only the
      // partitions whose recovery point moved pay for it.
      if (it == written.end() || it->second != point) {
        if (auto ok = log.checkpoint(); !ok) {
          spdlog::warn("cannot write the checkpoint of {}-{}: {}", p.topic(), p.key().partition,
                       log::to_string(ok.error()));
        }
      }
      now_written[&log] = point;
    });
    written = std::move(now_written);
  }
}

asio::awaitable<void> compaction_loop(Broker& broker, asio::any_io_executor cleaner,
                                      std::chrono::milliseconds backoff) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_after(backoff);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    // Shared ownership: a partition deleted during its pass stays alive
    // until the pass ends (finish_compaction then discards the result).
    std::vector<std::shared_ptr<log::PartitionLog>> logs;
    broker.local().partitions->for_each([&](Partition& p) { logs.push_back(p.log_ptr()); });
    for (const auto& log : logs) {
      auto plan = log->plan_compaction(wall_clock_ms());
      if (!plan) continue;
      // Kafka's split: each cleaner thread gets its share of the buffer.
      plan->max_map_bytes = static_cast<std::uint64_t>(broker.config().log_cleaner_dedupe_buffer_size) /
                            static_cast<std::uint64_t>(std::max(broker.config().log_cleaner_threads, 1));
      const log::CompactionPlan* planned = &*plan;
      // (optional: co_spawn's result must be default-constructible)
      using Work = std::optional<Result<log::CompactionWork, log::LogError>>;
      auto clean = [planned]() -> asio::awaitable<Work> { co_return Work(log::cleaner::run(*planned)); };
      auto work = co_await asio::co_spawn(cleaner, clean, asio::use_awaitable);
      if (auto done = log->finish_compaction(*plan, std::move(*work), wall_clock_ms()); !done) {
        spdlog::error("log {}: compaction failed: {}", log->dir().string(), log::to_string(done.error()));
      }
    }
  }
}

asio::awaitable<void> producer_expiry_loop(Broker& broker, std::chrono::milliseconds interval,
                                           std::chrono::milliseconds expiration) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_after(interval);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    const auto now_ms = wall_clock_ms();
    std::size_t expired = 0;
    broker.local().partitions->for_each(
        [&](Partition& p) { expired += p.log().expire_producers(now_ms, expiration.count()); });
    if (expired > 0) spdlog::info("forgot {} idle producer(s) (producer.id.expiration.ms)", expired);
  }
}

void close_shard_logs(Broker& broker) {
  broker.local().partitions->for_each([](Partition& p) { p.log().close(); });
}

}  // namespace conveyor::broker
