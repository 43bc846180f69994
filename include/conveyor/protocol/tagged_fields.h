#pragma once
// Tagged fields that a decoder did not recognise, kept byte for byte so that a
// message can be re-encoded without losing them (Kafka's RawTaggedField).

#include <compare>
#include <cstdint>
#include <vector>

namespace conveyor::protocol {

struct RawTaggedField {
  std::uint32_t tag = 0;
  std::vector<std::uint8_t> data;
  bool operator==(const RawTaggedField&) const = default;
};

using UnknownTaggedFields = std::vector<RawTaggedField>;

}  // namespace conveyor::protocol
