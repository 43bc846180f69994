#pragma once
// LogError: why a log operation failed. The API layer maps each value to a
// Kafka error code in one place (api/log_errors.cc).

#include <cstdint>

namespace conveyor::log {

enum class LogError : std::uint8_t {
  corrupt_message,        // CORRUPT_MESSAGE (2): bad CRC, truncated, lengths that disagree
  unsupported_magic,      // UNSUPPORTED_FOR_MESSAGE_FORMAT (43): magic other than 2 on append
  message_too_large,      // MESSAGE_TOO_LARGE (10): a batch above max.message.bytes
  record_list_too_large,  // RECORD_LIST_TOO_LARGE (18): a batch larger than a segment
  invalid_record,         // INVALID_RECORD (87): records that break the batch's own rules
  invalid_timestamp,      // INVALID_TIMESTAMP (32): outside message.timestamp.difference.max.ms
  offset_out_of_range,    // OFFSET_OUT_OF_RANGE (1)
  storage_error,          // KAFKA_STORAGE_ERROR (56): I/O failed; the log is offline
  out_of_order_sequence,  // OUT_OF_ORDER_SEQUENCE_NUMBER (45): an idempotent producer skipped a batch
  invalid_producer_epoch, // INVALID_PRODUCER_EPOCH (47): a batch from a fenced (older) producer epoch
  invalid_txn_state,      // INVALID_TXN_STATE (48): a plain batch from a producer whose transaction is open
};

const char* to_string(LogError error);

}  // namespace conveyor::log
