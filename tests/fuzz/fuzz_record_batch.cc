// libFuzzer target: one record batch — its records, a rebuild, validate_batch, legacy conversions.
// The work is in entry_points.cc, shared with the regression test.

#include <cstddef>
#include <cstdint>

#include "entry_points.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  conveyor::fuzz::record_batch({data, size});
  return 0;
}
