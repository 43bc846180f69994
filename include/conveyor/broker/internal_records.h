#pragma once
// Records of the internal, compacted topics the coordinators keep their state
// in (__transaction_state; __consumer_offsets does the same in group/): a
// keyed record per entity, the latest one wins, a null value is a tombstone.
//
// append_internal_records writes them as one batch on the calling shard,
// which must own the partition, and returns once the batch is durable (the
// same group-commit fsync as acks=all; with acks.all.fsync=false, once it is
// in the page cache, as acks=all data then is), so a coordinator acts on a
// state change only after it would survive a crash. read_internal_records reads a
// partition back, in log order, when the coordinator loads it.

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conveyor/base/result.h"
#include "conveyor/broker/broker.h"
#include "conveyor/protocol/error_code.h"

namespace conveyor::log {
class PartitionLog;
}

namespace conveyor::broker {

struct InternalRecord {
  std::vector<std::uint8_t> key;
  std::optional<std::vector<std::uint8_t>> value;  // nullopt: tombstone
};

// none; not_coordinator (the topic or partition is not open on this shard);
// message_too_large (the batch exceeds the topic's max.message.bytes);
// coordinator_not_available (the append or the fsync failed).
// `wait_durable` false returns once the batch is in the log (page cache):
// for a record whose loss a later durable record of the same partition, or
// a replay, makes harmless (see TxnCoordinator::finish).
boost::asio::awaitable<protocol::ErrorCode> append_internal_records(
    Broker& broker, std::string_view topic, std::int32_t partition,
    std::vector<InternalRecord> records, bool wait_durable = true);

// Every keyed record of data batches (control batches skipped) from the log
// start to its end. Reads with pread on the calling (owning) shard: the
// partitions are small thanks to compaction, and this runs once per load.
Result<std::vector<InternalRecord>, std::string> read_internal_records(log::PartitionLog& log);

}  // namespace conveyor::broker
