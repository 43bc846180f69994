#pragma once
// CRC32C (Castagnoli), the checksum of record batch v2 (it covers the bytes
// from `attributes` to the end of the batch). Uses the SSE4.2 crc32
// instruction when the CPU has it, chosen once at run time, else a
// slicing-by-8 table implementation. Both are tested against known vectors.

#include <cstddef>
#include <cstdint>
#include <span>

namespace conveyor::protocol::crc32c {

// CRC32C of `data`, continuing from `crc` (0 to start).
std::uint32_t extend(std::uint32_t crc, std::span<const std::uint8_t> data);
inline std::uint32_t compute(std::span<const std::uint8_t> data) { return extend(0, data); }

// The two implementations, exposed for tests and benchmarks.
std::uint32_t extend_software(std::uint32_t crc, std::span<const std::uint8_t> data);
std::uint32_t extend_hardware(std::uint32_t crc, std::span<const std::uint8_t> data);
bool hardware_available();

}  // namespace conveyor::protocol::crc32c
