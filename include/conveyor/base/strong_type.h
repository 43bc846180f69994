#pragma once
// StrongType<T, Tag>: an integer that cannot be mixed up with another integer
// of a different meaning (an offset with an epoch, a node id with a partition).
// Arithmetic is deliberately limited to what the meaning allows.

#include <compare>
#include <cstddef>
#include <functional>
#include <ostream>

namespace conveyor {

template <typename T, typename Tag>
class StrongType {
 public:
  using value_type = T;
  constexpr StrongType() = default;
  constexpr explicit StrongType(T value) : value_(value) {}

  constexpr T value() const { return value_; }
  constexpr auto operator<=>(const StrongType&) const = default;

 private:
  T value_{};
};

template <typename T, typename Tag>
std::ostream& operator<<(std::ostream& os, StrongType<T, Tag> v) {
  return os << v.value();
}

}  // namespace conveyor

template <typename T, typename Tag>
struct std::hash<conveyor::StrongType<T, Tag>> {
  std::size_t operator()(conveyor::StrongType<T, Tag> v) const noexcept {
    return std::hash<T>{}(v.value());
  }
};
