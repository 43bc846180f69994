#pragma once
// The one list of APIs this broker serves, with the versions it accepts.
// ApiVersions answers from it; the dispatcher routes by it.

#include <cstdint>
#include <span>

#include "conveyor/api/handler.h"

namespace conveyor::api {

struct ApiEntry {
  std::int16_t api_key;
  std::int16_t min_version;
  std::int16_t max_version;
  Handler handler;
};

std::span<const ApiEntry> supported_apis();
const ApiEntry* find_api(std::int16_t api_key);

}  // namespace conveyor::api
