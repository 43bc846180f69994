// libFuzzer target: the wire primitives (varints, strings, bytes, records, tagged fields).
// The work is in entry_points.cc, shared with the regression test.

#include <cstddef>
#include <cstdint>

#include "entry_points.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  conveyor::fuzz::wire_primitives({data, size});
  return 0;
}
