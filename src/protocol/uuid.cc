#include "conveyor/protocol/uuid.h"

#include <random>

namespace conveyor::protocol {

namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int decode_char(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}
}  // namespace

std::string Uuid::to_base64() const {
  std::array<std::uint8_t, 16> bytes{};
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<std::uint8_t>(high >> (56 - 8 * i));
    bytes[8 + i] = static_cast<std::uint8_t>(low >> (56 - 8 * i));
  }
  std::string out;
  out.reserve(22);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  // 16 bytes = 5 groups of 3 + 1 byte left: two characters, no padding.
  const std::uint32_t n = bytes[i] << 16;
  out += kAlphabet[(n >> 18) & 63];
  out += kAlphabet[(n >> 12) & 63];
  return out;
}

std::optional<Uuid> Uuid::from_base64(std::string_view text) {
  if (text.size() != 22) return std::nullopt;
  std::array<std::uint8_t, 18> bytes{};
  std::size_t out = 0;
  for (std::size_t i = 0; i < 24; i += 4) {
    std::uint32_t n = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      int v = 0;
      if (i + j < text.size()) {
        v = decode_char(text[i + j]);
        if (v < 0) return std::nullopt;
      }
      n = (n << 6) | static_cast<std::uint32_t>(v);
    }
    bytes[out++] = static_cast<std::uint8_t>(n >> 16);
    bytes[out++] = static_cast<std::uint8_t>(n >> 8);
    bytes[out++] = static_cast<std::uint8_t>(n);
  }
  Uuid id;
  for (int k = 0; k < 8; ++k) {
    id.high = (id.high << 8) | bytes[k];
    id.low = (id.low << 8) | bytes[8 + k];
  }
  return id;
}

Uuid Uuid::random() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  for (;;) {
    Uuid id{rng(), rng()};
    id.high = (id.high & ~0xF000ULL) | 0x4000ULL;                    // version 4
    id.low = (id.low & ~(0xC000000000000000ULL)) | 0x8000000000000000ULL;  // IETF variant
    if (!id.is_zero() && id.to_base64()[0] != '-') return id;
  }
}

}  // namespace conveyor::protocol
