// libFuzzer target: a request frame (header + body of any API key and version).
// The work is in entry_points.cc, shared with the regression test.

#include <cstddef>
#include <cstdint>

#include "entry_points.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)conveyor::fuzz::request_frame({data, size});
  return 0;
}
