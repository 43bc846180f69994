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
  std::optional<std::vector<std::uint8_t>> value = std::nullopt;  // nullopt: tombstone
  // Read back only: the producer of a transactional batch (TxnOffsetCommit),
  // else -1; and, for a transaction marker (no key, no value; only with
  // `with_markers`), whether it commits.
  std::int64_t producer_id = -1;
  std::optional<bool> marker_commit = std::nullopt;
};

// The transactional producer a coordinator appends for (TxnOffsetCommit).
struct InternalProducer {
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
};

// none; not_coordinator (the topic or partition is not open on this shard);
// message_too_large (the batch exceeds the topic's max.message.bytes);
// invalid_producer_epoch (`producer` is fenced on the partition);
// coordinator_not_available (the append or the fsync failed). With
// `producer`, the batch is that producer's transactional batch (no sequence,
// as Kafka's coordinators write them).
// `wait_durable` false returns once the batch is in the log (page cache):
// for a record whose loss a later durable record of the same partition, or
// a replay, makes harmless (see TxnCoordinator::finish).
boost::asio::awaitable<protocol::ErrorCode> append_internal_records(
    Broker& broker, std::string_view topic, std::int32_t partition,
    std::vector<InternalRecord> records, bool wait_durable = true,
    std::optional<InternalProducer> producer = std::nullopt);

// Every keyed record of data batches from the log start to its end, and
// with `with_markers` the transaction markers among them. Reads with pread on
// the calling (owning) shard: the partitions are small thanks to compaction,
// and this runs once per load.
Result<std::vector<InternalRecord>, std::string> read_internal_records(log::PartitionLog& log,
                                                                       bool with_markers = false);

}  // namespace conveyor::broker
