#pragma once
// Kafka's Uuid: 128 bits on the wire as two big-endian int64s. Topic ids are
// type-4 random UUIDs; the all-zero UUID means "no id" (Uuid.ZERO_UUID).

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace conveyor::protocol {

struct Uuid {
  std::uint64_t high = 0;
  std::uint64_t low = 0;

  bool is_zero() const { return high == 0 && low == 0; }
  auto operator<=>(const Uuid&) const = default;

  // URL-safe base64 without padding, as Kafka prints topic ids.
  std::string to_base64() const;
  static std::optional<Uuid> from_base64(std::string_view text);
  // A fresh random version-4 UUID that is never zero and whose base64 form
  // never starts with '-' (Kafka's rule for generated ids).
  static Uuid random();
};

}  // namespace conveyor::protocol

template <>
struct std::hash<conveyor::protocol::Uuid> {
  std::size_t operator()(const conveyor::protocol::Uuid& id) const noexcept {
    return std::hash<std::uint64_t>{}(id.high * 0x9E3779B97F4A7C15ULL ^ id.low);
  }
};
