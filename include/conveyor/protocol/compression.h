#pragma once
// Compression of record batch payloads (the bytes after the 61-byte header),
// byte-compatible with what Kafka clients write and read:
//
//   codec   format on the wire
//   gzip    a gzip stream (RFC 1952, zlib's gzip wrapper); concatenated
//           members are read as one stream, as Java's GZIPInputStream does
//   snappy  snappy-java's "xerial" framing, as the Java client writes it:
//             magic 82 53 4E 41 50 50 59 00 ("\x82SNAPPY\0")
//             int32 version (1), int32 compatible version (1)
//             then blocks: int32 compressed length, a raw snappy block
//           (all integers big-endian). Input without the magic is read as
//           one raw snappy block, as librdkafka and snappy-java accept it.
//   lz4     the LZ4 frame format (lz4frame.h); written with independent
//           64 KiB blocks and no content size, as Kafka's Java client does
//   zstd    zstd frames, decoded by streaming, so frames that do not
//           declare their content size (Java's ZstdOutputStream) are read
//
// Decompression is bounded: the caller passes `max_output` (derived from the
// largest message it accepts) and gets CompressionError::too_large instead
// of an allocation beyond it. Input is untrusted: garbage yields `corrupt`,
// never a crash or an allocation sized by an unchecked wire number. For zstd
// the decoder's window is also bounded (see zstd.cc).
//
// Stateless free functions; each call owns its codec context. Safe to call
// from any thread.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "conveyor/base/result.h"
#include "conveyor/protocol/record_batch_header.h"

namespace conveyor::protocol {

enum class CompressionError : std::uint8_t {
  unknown_codec,  // attribute bits 5-7, or `none` where a codec is required
  corrupt,        // the input is not a valid stream of this codec
  too_large,      // the output would exceed max_output
  failed,         // the library failed for another reason (out of memory)
};

const char* to_string(CompressionError error);

// A codec's level (Kafka's compression.<codec>.level); nullopt means the
// library's default. Snappy has no levels. Out-of-range levels are clamped
// by the libraries.
using CompressionLevel = std::optional<int>;

// Compresses `input` with `codec`, appending to `out`. `none` copies.
[[nodiscard]] Result<void, CompressionError> compress_append(CompressionType codec,
                                                             std::span<const std::uint8_t> input,
                                                             std::vector<std::uint8_t>& out,
                                                             CompressionLevel level = std::nullopt);

// Decompresses `input`, appending at most `max_output` bytes to `out`.
// On error `out` keeps its original size. `none` copies (also bounded).
[[nodiscard]] Result<void, CompressionError> decompress_append(CompressionType codec,
                                                               std::span<const std::uint8_t> input,
                                                               std::vector<std::uint8_t>& out,
                                                               std::size_t max_output);

// Convenience forms returning a fresh buffer.
[[nodiscard]] Result<std::vector<std::uint8_t>, CompressionError> compress(
    CompressionType codec, std::span<const std::uint8_t> input, CompressionLevel level = std::nullopt);
[[nodiscard]] Result<std::vector<std::uint8_t>, CompressionError> decompress(
    CompressionType codec, std::span<const std::uint8_t> input, std::size_t max_output);

// The codecs, one file each in src/protocol/compression/. Same contracts as
// compress_append/decompress_append.
namespace codec {
[[nodiscard]] Result<void, CompressionError> gzip_compress(std::span<const std::uint8_t> input,
                                                           std::vector<std::uint8_t>& out,
                                                           CompressionLevel level);
[[nodiscard]] Result<void, CompressionError> gzip_decompress(std::span<const std::uint8_t> input,
                                                             std::vector<std::uint8_t>& out,
                                                             std::size_t max_output);
[[nodiscard]] Result<void, CompressionError> snappy_compress(std::span<const std::uint8_t> input,
                                                             std::vector<std::uint8_t>& out);
[[nodiscard]] Result<void, CompressionError> snappy_decompress(std::span<const std::uint8_t> input,
                                                               std::vector<std::uint8_t>& out,
                                                               std::size_t max_output);
[[nodiscard]] Result<void, CompressionError> lz4_compress(std::span<const std::uint8_t> input,
                                                          std::vector<std::uint8_t>& out,
                                                          CompressionLevel level);
[[nodiscard]] Result<void, CompressionError> lz4_decompress(std::span<const std::uint8_t> input,
                                                            std::vector<std::uint8_t>& out,
                                                            std::size_t max_output);
[[nodiscard]] Result<void, CompressionError> zstd_compress(std::span<const std::uint8_t> input,
                                                           std::vector<std::uint8_t>& out,
                                                           CompressionLevel level);
[[nodiscard]] Result<void, CompressionError> zstd_decompress(std::span<const std::uint8_t> input,
                                                             std::vector<std::uint8_t>& out,
                                                             std::size_t max_output);

// snappy-java's stream header, for tests and for sniffing the framing.
inline constexpr std::uint8_t kXerialMagic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
inline constexpr std::size_t kXerialHeaderSize = 16;
// snappy-java's default block size (SnappyOutputStream), which Kafka uses.
inline constexpr std::size_t kXerialBlockSize = 32 * 1024;
}  // namespace codec

}  // namespace conveyor::protocol
