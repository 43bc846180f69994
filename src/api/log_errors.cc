#include "conveyor/api/log_errors.h"

namespace conveyor::api {

protocol::ErrorCode to_error_code(log::LogError error) {
  using log::LogError;
  using protocol::ErrorCode;
  switch (error) {
    case LogError::corrupt_message: return ErrorCode::corrupt_message;
    case LogError::unsupported_magic: return ErrorCode::unsupported_for_message_format;
    case LogError::message_too_large: return ErrorCode::message_too_large;
    case LogError::record_list_too_large: return ErrorCode::record_list_too_large;
    case LogError::invalid_record: return ErrorCode::invalid_record;
    case LogError::invalid_timestamp: return ErrorCode::invalid_timestamp;
    case LogError::offset_out_of_range: return ErrorCode::offset_out_of_range;
    case LogError::storage_error: return ErrorCode::kafka_storage_error;
    case LogError::out_of_order_sequence: return ErrorCode::out_of_order_sequence_number;
    case LogError::invalid_producer_epoch: return ErrorCode::invalid_producer_epoch;
    case LogError::invalid_txn_state: return ErrorCode::invalid_txn_state;
  }
  return ErrorCode::unknown_server_error;
}

}  // namespace conveyor::api
