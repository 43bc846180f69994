// lz4: the LZ4 frame format (lz4frame.h). Written as Kafka's Java client does
// (KafkaLZ4BlockOutputStream): independent 64 KiB blocks, no content size,
// no content checksum. Read with any frame options liblz4 supports, several
// concatenated frames included; the decoder's own buffers are bounded by the
// format (at most a 4 MiB block).

#include <lz4frame.h>

#include <memory>

#include "bounded_output.h"
#include "conveyor/protocol/compression.h"

namespace conveyor::protocol::codec {
namespace {

struct DctxDeleter {
  void operator()(LZ4F_dctx* dctx) const { LZ4F_freeDecompressionContext(dctx); }
};

}  // namespace

Result<void, CompressionError> lz4_compress(std::span<const std::uint8_t> input,
                                            std::vector<std::uint8_t>& out, CompressionLevel level) {
  LZ4F_preferences_t prefs{};
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  prefs.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum;
  prefs.compressionLevel = level.value_or(0);
  const std::size_t bound = LZ4F_compressFrameBound(input.size(), &prefs);
  const std::size_t start = out.size();
  out.resize(start + bound);
  const std::size_t written =
      LZ4F_compressFrame(out.data() + start, bound, input.data(), input.size(), &prefs);
  if (LZ4F_isError(written)) {
    out.resize(start);
    return Unexpected{CompressionError::failed};
  }
  out.resize(start + written);
  return {};
}

Result<void, CompressionError> lz4_decompress(std::span<const std::uint8_t> input,
                                              std::vector<std::uint8_t>& out, std::size_t max_output) {
  LZ4F_dctx* raw = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&raw, LZ4F_VERSION))) {
    return Unexpected{CompressionError::failed};
  }
  const std::unique_ptr<LZ4F_dctx, DctxDeleter> dctx(raw);

  BoundedOutput output(out, max_output, input.size() * 4);
  auto fail = [&output](CompressionError error) -> Result<void, CompressionError> {
    output.rollback();
    return Unexpected{error};
  };
  const std::uint8_t* in = input.data();
  std::size_t in_left = input.size();
  for (;;) {
    const std::span<std::uint8_t> window = output.window();
    if (window.empty()) return fail(CompressionError::too_large);
    std::size_t dst_size = window.size();
    std::size_t src_size = in_left;
    const std::size_t hint =
        LZ4F_decompress(dctx.get(), window.data(), &dst_size, in, &src_size, nullptr);
    if (LZ4F_isError(hint)) return fail(CompressionError::corrupt);
    in += src_size;
    in_left -= src_size;
    output.produced(dst_size);
    if (output.exceeded()) return fail(CompressionError::too_large);
    if (hint == 0) {
      // A frame ended; another may follow (the context resets itself).
      if (in_left == 0) break;
      continue;
    }
    // The frame wants more input, there is none, and the decoder did not
    // stop for lack of room: truncated.
    if (in_left == 0 && dst_size < window.size()) return fail(CompressionError::corrupt);
  }
  output.commit();
  return {};
}

}  // namespace conveyor::protocol::codec
