#pragma once
// Waits, on the calling shard, until everything appended so far to `logs`
// is on disk. The log engine's flush scheduler batches the fsyncs of all
// waiting partitions (group commit) on its own thread; each completion is
// posted back here, so the shard's event loop never blocks on the disk.

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <vector>

namespace conveyor::log {
class PartitionLog;
}

namespace conveyor::broker {

// Returns, per log, whether its flush succeeded (false: an fsync failed and
// the data may not be durable — KAFKA_STORAGE_ERROR for the producer).
boost::asio::awaitable<std::vector<bool>> wait_durable(std::vector<std::shared_ptr<log::PartitionLog>> logs);

}  // namespace conveyor::broker
