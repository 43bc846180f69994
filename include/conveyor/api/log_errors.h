#pragma once
// The one place log errors become Kafka error codes.

#include "conveyor/log/log_error.h"
#include "conveyor/protocol/error_code.h"

namespace conveyor::api {

protocol::ErrorCode to_error_code(log::LogError error);

}  // namespace conveyor::api
