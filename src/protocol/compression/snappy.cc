// snappy: the Java client's xerial framing (see compression.h) on the way out;
// on the way in, xerial framing or a single raw snappy block, told apart by
// the 8-byte magic. Each block's uncompressed length is declared in its own
// preamble, so the budget is checked before anything is allocated for it.

#include <snappy.h>

#include <cstring>

#include "conveyor/protocol/compression.h"

namespace conveyor::protocol::codec {
namespace {

constexpr std::int32_t kXerialVersion = 1;
constexpr std::int32_t kXerialCompatibleVersion = 1;

bool has_xerial_magic(std::span<const std::uint8_t> input) {
  return input.size() >= sizeof(kXerialMagic) &&
         std::memcmp(input.data(), kXerialMagic, sizeof(kXerialMagic)) == 0;
}

// Appends one raw block to `out` if its declared length fits the budget.
Result<void, CompressionError> uncompress_block(std::span<const std::uint8_t> block,
                                                std::vector<std::uint8_t>& out, std::size_t budget) {
  const auto* data = reinterpret_cast<const char*>(block.data());
  std::size_t length = 0;
  if (!snappy::GetUncompressedLength(data, block.size(), &length)) {
    return Unexpected{CompressionError::corrupt};
  }
  if (length > budget) return Unexpected{CompressionError::too_large};
  const std::size_t at = out.size();
  out.resize(at + length);
  if (!snappy::RawUncompress(data, block.size(), reinterpret_cast<char*>(out.data() + at))) {
    return Unexpected{CompressionError::corrupt};
  }
  return {};
}

}  // namespace

Result<void, CompressionError> snappy_compress(std::span<const std::uint8_t> input,
                                               std::vector<std::uint8_t>& out) {
  const std::size_t blocks = (input.size() + kXerialBlockSize - 1) / kXerialBlockSize;
  const std::size_t start = out.size();
  out.resize(start + kXerialHeaderSize +
             blocks * (4 + snappy::MaxCompressedLength(kXerialBlockSize)));
  std::uint8_t* p = out.data() + start;
  std::memcpy(p, kXerialMagic, sizeof(kXerialMagic));
  store_be32(p + 8, kXerialVersion);
  store_be32(p + 12, kXerialCompatibleVersion);
  p += kXerialHeaderSize;
  for (std::size_t pos = 0; pos < input.size(); pos += kXerialBlockSize) {
    const std::size_t n = std::min(kXerialBlockSize, input.size() - pos);
    std::size_t compressed = 0;
    snappy::RawCompress(reinterpret_cast<const char*>(input.data() + pos), n,
                        reinterpret_cast<char*>(p + 4), &compressed);
    store_be32(p, static_cast<std::int32_t>(compressed));
    p += 4 + compressed;
  }
  out.resize(static_cast<std::size_t>(p - out.data()));
  return {};
}

Result<void, CompressionError> snappy_decompress(std::span<const std::uint8_t> input,
                                                 std::vector<std::uint8_t>& out, std::size_t max_output) {
  const std::size_t start = out.size();
  auto fail = [&out, start](CompressionError error) -> Result<void, CompressionError> {
    out.resize(start);
    return Unexpected{error};
  };
  if (!has_xerial_magic(input)) {
    auto raw = uncompress_block(input, out, max_output);
    if (!raw) return fail(raw.error());
    return {};
  }
  if (input.size() < kXerialHeaderSize) return fail(CompressionError::corrupt);
  // The version fields are skipped unchecked: every writer has written 1.
  std::span<const std::uint8_t> rest = input.subspan(kXerialHeaderSize);
  while (!rest.empty()) {
    if (rest.size() < 4) return fail(CompressionError::corrupt);
    const std::int32_t length = load_be32(rest.data());
    if (length <= 0 || static_cast<std::size_t>(length) > rest.size() - 4) {
      return fail(CompressionError::corrupt);
    }
    const std::size_t produced = out.size() - start;
    auto block = uncompress_block(rest.subspan(4, static_cast<std::size_t>(length)), out,
                                  max_output - produced);
    if (!block) return fail(block.error());
    rest = rest.subspan(4 + static_cast<std::size_t>(length));
  }
  return {};
}

}  // namespace conveyor::protocol::codec
