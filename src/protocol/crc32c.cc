#include "conveyor/protocol/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <cpuid.h>
#include <nmmintrin.h>
#endif

namespace conveyor::protocol::crc32c {

namespace {

constexpr std::uint32_t kPolynomial = 0x82F63B78;  // reflected Castagnoli

// tables[k][b]: CRC of byte b followed by k zero bytes, for slicing-by-8.
constexpr std::array<std::array<std::uint32_t, 256>, 8> make_tables() {
  std::array<std::array<std::uint32_t, 256>, 8> tables{};
  for (std::uint32_t b = 0; b < 256; ++b) {
    std::uint32_t crc = b;
    for (int i = 0; i < 8; ++i) crc = (crc >> 1) ^ ((crc & 1) ? kPolynomial : 0);
    tables[0][b] = crc;
  }
  for (std::uint32_t b = 0; b < 256; ++b) {
    for (int k = 1; k < 8; ++k) {
      const std::uint32_t prev = tables[k - 1][b];
      tables[k][b] = (prev >> 8) ^ tables[0][prev & 0xFF];
    }
  }
  return tables;
}

constexpr auto kTables = make_tables();

}  // namespace

std::uint32_t extend_software(std::uint32_t crc, std::span<const std::uint8_t> data) {
  const std::uint8_t* p = data.data();
  std::size_t n = data.size();
  crc = ~crc;
  while (n >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);  // little-endian host assumed (x86_64, aarch64)
    word ^= crc;
    crc = kTables[7][word & 0xFF] ^ kTables[6][(word >> 8) & 0xFF] ^
          kTables[5][(word >> 16) & 0xFF] ^ kTables[4][(word >> 24) & 0xFF] ^
          kTables[3][(word >> 32) & 0xFF] ^ kTables[2][(word >> 40) & 0xFF] ^
          kTables[1][(word >> 48) & 0xFF] ^ kTables[0][word >> 56];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) crc = (crc >> 8) ^ kTables[0][(crc ^ *p++) & 0xFF];
  return ~crc;
}

#if defined(__x86_64__)

bool hardware_available() {
  static const bool available = [] {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return false;
    return (ecx & bit_SSE4_2) != 0;
  }();
  return available;
}

namespace {

__attribute__((target("sse4.2"))) std::uint64_t crc_words(std::uint64_t crc, const std::uint8_t* p,
                                                          std::size_t words) {
  for (std::size_t i = 0; i < words; ++i) {
    std::uint64_t word;
    std::memcpy(&word, p + 8 * i, 8);
    crc = _mm_crc32_u64(crc, word);
  }
  return crc;
}

// Large inputs run three independent crc32 streams over adjacent blocks to
// hide the instruction's 3-cycle latency, then combine them:
//   crc(A||B||C) = advance(crc(A), |B|+|C|) ^ advance(crc0(B), |C|) ^ crc0(C)
// where crc0 starts from a zero register and advance(x, L) is the register
// after L zero bytes. advance is linear over GF(2), so it is a table lookup
// per byte of x, built once from the 32 basis vectors.
constexpr std::size_t kBlock = 4096;

struct ZeroAdvance {
  std::array<std::array<std::uint32_t, 256>, 4> table{};

  __attribute__((target("sse4.2"))) explicit ZeroAdvance(std::size_t zero_bytes) {
    std::array<std::uint32_t, 32> basis{};
    for (int bit = 0; bit < 32; ++bit) {
      std::uint64_t c = 1u << bit;
      for (std::size_t i = 0; i < zero_bytes / 8; ++i) c = _mm_crc32_u64(c, 0);
      basis[bit] = static_cast<std::uint32_t>(c);
    }
    for (int k = 0; k < 4; ++k) {
      for (std::uint32_t b = 0; b < 256; ++b) {
        std::uint32_t v = 0;
        for (int bit = 0; bit < 8; ++bit) {
          if (b & (1u << bit)) v ^= basis[8 * k + bit];
        }
        table[k][b] = v;
      }
    }
  }

  std::uint32_t operator()(std::uint32_t x) const {
    return table[0][x & 0xFF] ^ table[1][(x >> 8) & 0xFF] ^ table[2][(x >> 16) & 0xFF] ^
           table[3][x >> 24];
  }
};

const ZeroAdvance& advance_one_block() {
  static const ZeroAdvance advance(kBlock);
  return advance;
}
const ZeroAdvance& advance_two_blocks() {
  static const ZeroAdvance advance(2 * kBlock);
  return advance;
}

}  // namespace

__attribute__((target("sse4.2"))) std::uint32_t extend_hardware(std::uint32_t crc,
                                                                std::span<const std::uint8_t> data) {
  const std::uint8_t* p = data.data();
  std::size_t n = data.size();
  std::uint64_t c = ~crc;
  // Align to 8 bytes.
  while (n > 0 && (reinterpret_cast<std::uintptr_t>(p) & 7) != 0) {
    c = _mm_crc32_u8(static_cast<std::uint32_t>(c), *p++);
    --n;
  }
  if (n >= 3 * kBlock) {
    const ZeroAdvance& one = advance_one_block();
    const ZeroAdvance& two = advance_two_blocks();
    while (n >= 3 * kBlock) {
      std::uint64_t c1 = 0, c2 = 0;
      for (std::size_t i = 0; i < kBlock / 8; ++i) {
        std::uint64_t w0, w1, w2;
        std::memcpy(&w0, p + 8 * i, 8);
        std::memcpy(&w1, p + kBlock + 8 * i, 8);
        std::memcpy(&w2, p + 2 * kBlock + 8 * i, 8);
        c = _mm_crc32_u64(c, w0);
        c1 = _mm_crc32_u64(c1, w1);
        c2 = _mm_crc32_u64(c2, w2);
      }
      c = two(static_cast<std::uint32_t>(c)) ^ one(static_cast<std::uint32_t>(c1)) ^
          static_cast<std::uint32_t>(c2);
      p += 3 * kBlock;
      n -= 3 * kBlock;
    }
  }
  c = crc_words(c, p, n / 8);
  p += (n / 8) * 8;
  n %= 8;
  while (n-- > 0) c = _mm_crc32_u8(static_cast<std::uint32_t>(c), *p++);
  return ~static_cast<std::uint32_t>(c);
}

#else

bool hardware_available() { return false; }
std::uint32_t extend_hardware(std::uint32_t crc, std::span<const std::uint8_t> data) {
  return extend_software(crc, data);
}

#endif

std::uint32_t extend(std::uint32_t crc, std::span<const std::uint8_t> data) {
  return hardware_available() ? extend_hardware(crc, data) : extend_software(crc, data);
}

}  // namespace conveyor::protocol::crc32c
