#include "conveyor/log/log_error.h"

namespace conveyor::log {

const char* to_string(LogError error) {
  switch (error) {
    case LogError::corrupt_message: return "corrupt message";
    case LogError::unsupported_magic: return "unsupported message format (magic other than 2)";
    case LogError::message_too_large: return "batch larger than max.message.bytes";
    case LogError::record_list_too_large: return "batches larger than segment.bytes";
    case LogError::invalid_record: return "invalid record";
    case LogError::invalid_timestamp: return "timestamp outside message.timestamp.difference.max.ms";
    case LogError::offset_out_of_range: return "offset out of range";
    case LogError::storage_error: return "storage error";
    case LogError::out_of_order_sequence: return "out of order sequence number";
    case LogError::invalid_producer_epoch: return "producer epoch older than the current one";
    case LogError::invalid_txn_state: return "non-transactional batch while the producer's transaction is open";
  }
  return "unknown log error";
}

}  // namespace conveyor::log
