#pragma once
// The records the transaction coordinator keeps in __transaction_state, one
// key per transactional id, so that compaction keeps each id's latest state.
// Modelled on Kafka's TransactionLogKey / TransactionLogValue. Big-endian;
// strings are int16 length + UTF-8.
//
// key (record key):
//   version int16 (0), transactional_id string
//
// value (record value; null = tombstone: the id expired):
//   version int16 (0)
//   producer_id int64, producer_epoch int16, timeout_ms int32, state int8
//     (TxnState ids), partitions int32 count (-1 for none) x
//     { topic string, int32 count x partition int32 },
//   last_update_ms int64, start_timestamp_ms int64
//   -- Kafka's v0 fields up to here, in its order; then Conveyor's own:
//   last_producer_id int64, last_producer_epoch int16
//
// Kafka does not store the last epoch, so a retried InitProducerId that
// spans a restart cannot be recognised there; here it can.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "conveyor/txn/txn_metadata.h"

namespace conveyor::txn {

// Kafka's partition of __transaction_state for a transactional id:
// abs(java.lang.String.hashCode(id)) % partitions — the same rule as
// __consumer_offsets, so the same function.
std::int32_t txn_partition_for(std::string_view transactional_id, std::int32_t partitions);

std::vector<std::uint8_t> encode_txn_key(std::string_view transactional_id);
std::vector<std::uint8_t> encode_txn_value(const TxnMetadata& metadata);

// nullopt for bytes that are not one of the layouts above (skipped on load).
std::optional<std::string> decode_txn_key(std::span<const std::uint8_t> bytes);
// The metadata of `transactional_id` stored in `bytes`.
std::optional<TxnMetadata> decode_txn_value(std::string_view transactional_id,
                                            std::span<const std::uint8_t> bytes);

}  // namespace conveyor::txn
