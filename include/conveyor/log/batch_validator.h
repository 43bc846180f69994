#pragma once
// Validation of the record batches of one Produce partition before anything
// is written (Kafka's LogValidator, for batches already in magic 2). A batch
// is accepted when:
//   - its header parses and its length stays inside the buffer  else CORRUPT_MESSAGE
//   - magic is 2                                                else UNSUPPORTED_FOR_MESSAGE_FORMAT
//   - it is at most max.message.bytes                           else MESSAGE_TOO_LARGE
//   - record_count == last_offset_delta + 1 > 0, not a control
//     batch (only the broker writes those)                      else INVALID_RECORD
//   - its CRC32C matches and its codec is known                 else CORRUPT_MESSAGE
//   - every record parses (decompressed if need be), the count
//     matches and offset deltas run 0..n-1                      else INVALID_RECORD
//   - with cleanup.policy=compact, every record has a key       else INVALID_RECORD
//   - for CreateTime, base and max timestamps are within
//     message.timestamp.difference.max.ms of now                else INVALID_TIMESTAMP
// The first failing batch decides the error; the whole request fails.

#include <cstdint>
#include <span>
#include <vector>

#include "conveyor/base/result.h"
#include "conveyor/log/log_config.h"
#include "conveyor/log/log_error.h"
#include "conveyor/protocol/record_batch_header.h"

namespace conveyor::log {

struct ValidatedBatch {
  std::size_t position = 0;  // in the buffer
  protocol::RecordBatchHeader header;
};

Result<std::vector<ValidatedBatch>, LogError> validate_batches(std::span<const std::uint8_t> batches,
                                                               const LogConfig& config, std::int64_t now_ms);

}  // namespace conveyor::log
