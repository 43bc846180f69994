// Dispatch from a batch's codec to the codec files.

#include "conveyor/protocol/compression.h"

#include <algorithm>

namespace conveyor::protocol {

const char* to_string(CompressionError error) {
  switch (error) {
    case CompressionError::unknown_codec: return "unknown compression codec";
    case CompressionError::corrupt: return "corrupt compressed data";
    case CompressionError::too_large: return "decompressed data exceeds the limit";
    case CompressionError::failed: return "compression library failure";
  }
  return "unknown";
}

Result<void, CompressionError> compress_append(CompressionType codec, std::span<const std::uint8_t> input,
                                               std::vector<std::uint8_t>& out, CompressionLevel level) {
  switch (codec) {
    case CompressionType::none:
      out.insert(out.end(), input.begin(), input.end());
      return {};
    case CompressionType::gzip: return codec::gzip_compress(input, out, level);
    case CompressionType::snappy: return codec::snappy_compress(input, out);
    case CompressionType::lz4: return codec::lz4_compress(input, out, level);
    case CompressionType::zstd: return codec::zstd_compress(input, out, level);
  }
  return Unexpected{CompressionError::unknown_codec};
}

Result<void, CompressionError> decompress_append(CompressionType codec, std::span<const std::uint8_t> input,
                                                 std::vector<std::uint8_t>& out, std::size_t max_output) {
  switch (codec) {
    case CompressionType::none:
      if (input.size() > max_output) return Unexpected{CompressionError::too_large};
      out.insert(out.end(), input.begin(), input.end());
      return {};
    case CompressionType::gzip: return codec::gzip_decompress(input, out, max_output);
    case CompressionType::snappy: return codec::snappy_decompress(input, out, max_output);
    case CompressionType::lz4: return codec::lz4_decompress(input, out, max_output);
    case CompressionType::zstd: return codec::zstd_decompress(input, out, max_output);
  }
  return Unexpected{CompressionError::unknown_codec};
}

Result<std::vector<std::uint8_t>, CompressionError> compress(CompressionType codec,
                                                             std::span<const std::uint8_t> input,
                                                             CompressionLevel level) {
  std::vector<std::uint8_t> out;
  auto result = compress_append(codec, input, out, level);
  if (!result) return Unexpected{result.error()};
  return out;
}

Result<std::vector<std::uint8_t>, CompressionError> decompress(CompressionType codec,
                                                               std::span<const std::uint8_t> input,
                                                               std::size_t max_output) {
  std::vector<std::uint8_t> out;
  auto result = decompress_append(codec, input, out, max_output);
  if (!result) return Unexpected{result.error()};
  return out;
}

}  // namespace conveyor::protocol
