// CRC32C against published vectors (RFC 3720 appendix B.4, and the classic
// "123456789" check value), both implementations, every length and alignment
// around the hardware path's block boundaries.

#include "conveyor/protocol/crc32c.h"

#include <gtest/gtest.h>

#include <numeric>
#include <random>
#include <string_view>
#include <vector>

namespace conveyor::protocol::crc32c {
namespace {

std::span<const std::uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

TEST(Crc32c, KnownVectors) {
  EXPECT_EQ(compute(as_bytes("123456789")), 0xE3069283u);
  EXPECT_EQ(compute({}), 0u);
  std::vector<std::uint8_t> zeros(32, 0x00), ones(32, 0xFF), up(32), down(32);
  std::iota(up.begin(), up.end(), 0);
  for (int i = 0; i < 32; ++i) down[i] = static_cast<std::uint8_t>(31 - i);
  for (auto impl : {&extend_software, &extend_hardware}) {
    EXPECT_EQ(impl(0, zeros), 0x8A9136AAu);
    EXPECT_EQ(impl(0, ones), 0x62A8AB43u);
    EXPECT_EQ(impl(0, up), 0x46DD794Eu);
    EXPECT_EQ(impl(0, down), 0x113FDB5Cu);
  }
}

TEST(Crc32c, HardwareAndSoftwareAgreeOnEveryShape) {
  std::mt19937 rng(42);
  std::vector<std::uint8_t> data(3 * 3 * 4096 + 100);
  for (auto& b : data) b = static_cast<std::uint8_t>(rng());
  for (std::size_t offset : {0u, 1u, 3u, 7u}) {
    for (std::size_t len : {0u, 1u, 7u, 8u, 9u, 63u, 4095u, 4096u, 12287u, 12288u, 12289u,
                            24576u, 24577u, 36000u}) {
      if (offset + len > data.size()) continue;
      std::span<const std::uint8_t> piece(data.data() + offset, len);
      EXPECT_EQ(extend_hardware(0, piece), extend_software(0, piece)) << offset << "+" << len;
    }
  }
}

TEST(Crc32c, ExtendEqualsOneShot) {
  const auto all = as_bytes("The quick brown fox jumps over the lazy dog");
  const std::uint32_t partial = extend(0, all.subspan(0, 10));
  EXPECT_EQ(extend(partial, all.subspan(10)), compute(all));
  EXPECT_EQ(compute(all), 0x22620404u);
}

}  // namespace
}  // namespace conveyor::protocol::crc32c
