// libFuzzer target: a record batch header, the CRC, the in-place edits and the payload codec.
// The work is in entry_points.cc, shared with the regression test.

#include <cstddef>
#include <cstdint>

#include "entry_points.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  conveyor::fuzz::record_batch_header({data, size});
  return 0;
}
