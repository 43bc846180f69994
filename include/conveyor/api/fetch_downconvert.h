#pragma once
// Fetch v0-v3 clients read the old message formats: magic 0 (v0-v1) and
// magic 1 (v2-v3). The stored magic 2 batches are read from the segment and
// converted before sending (so these old versions cannot use sendfile).

#include <cstdint>

#include "conveyor/base/result.h"
#include "conveyor/protocol/error_code.h"
#include "conveyor/protocol/records.h"

namespace conveyor::api {

Result<protocol::Records, protocol::ErrorCode> downconvert_for_fetch(const protocol::Records& records,
                                                                     std::int16_t fetch_version,
                                                                     std::int64_t fetch_offset);

}  // namespace conveyor::api
