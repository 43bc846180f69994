#pragma once
// Background work on each shard's own partitions: retention every
// log.retention.check.interval.ms, checkpoints, producer expiry, and closing
// every log at shutdown.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>

#include "conveyor/broker/broker.h"

namespace conveyor::broker {

// Runs forever on the calling shard: each interval, one retention pass over
// the partitions this shard owns (deletes whole segments past retention.ms
// or retention.bytes; never the active one).
boost::asio::awaitable<void> retention_loop(Broker& broker, std::chrono::milliseconds interval);

// Runs forever on the calling shard: each interval, writes the recovery
// point checkpoint of every partition whose recovery point moved since the
// last one (log.flush.offset.checkpoint.interval.ms), so that recovery after
// a crash scans only what was appended since.
boost::asio::awaitable<void> checkpoint_loop(Broker& broker, std::chrono::milliseconds interval);

// Runs forever on the calling shard: every `backoff` (log.cleaner.backoff.ms),
// one compaction pass per partition that needs one, one partition at a time:
// planned here, run on `cleaner` (the log.cleaner.threads pool: reading and
// rewriting segments never blocks the shard), swapped in back here.
boost::asio::awaitable<void> compaction_loop(Broker& broker, boost::asio::any_io_executor cleaner,
                                             std::chrono::milliseconds backoff);

// Runs forever on the calling shard: each interval, every partition forgets
// the idempotent producers idle for `expiration` (producer.id.expiration.ms).
boost::asio::awaitable<void> producer_expiry_loop(Broker& broker, std::chrono::milliseconds interval,
                                                  std::chrono::milliseconds expiration);

// Closes every log of the calling shard: flushes, writes checkpoints, marks
// a clean shutdown so the next start skips recovery.
void close_shard_logs(Broker& broker);

}  // namespace conveyor::broker
