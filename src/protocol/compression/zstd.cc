// zstd: written as one frame with its content size (ZSTD_compress); read by
// streaming, so frames without a content size (Java's ZstdOutputStream) and
// several concatenated frames are accepted.
//
// Memory: besides the caller's output bound, a frame's declared window
// decides how much the decoder allocates. The window limit is
// max(8 MiB, max_output) rounded up to a power of two, capped at zstd's
// default limit of 128 MiB: enough for every standard level's streaming
// window (level 19 uses 8 MiB), while a 20-byte frame cannot make us
// allocate 128 MiB for a 1 MiB message limit.

#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <bit>
#include <memory>

#include "bounded_output.h"
#include "conveyor/protocol/compression.h"

namespace conveyor::protocol::codec {
namespace {

constexpr int kMinWindowLog = 23;
constexpr int kMaxWindowLog = 27;

struct DctxDeleter {
  void operator()(ZSTD_DCtx* dctx) const { ZSTD_freeDCtx(dctx); }
};

int window_log_for(std::size_t max_output) {
  const auto needed = static_cast<int>(std::bit_width(std::max<std::size_t>(max_output, 1) - 1));
  return std::clamp(needed, kMinWindowLog, kMaxWindowLog);
}

CompressionError classify(std::size_t code) {
  switch (ZSTD_getErrorCode(code)) {
    case ZSTD_error_memory_allocation: return CompressionError::failed;
    case ZSTD_error_frameParameter_windowTooLarge: return CompressionError::too_large;
    default: return CompressionError::corrupt;
  }
}

}  // namespace

Result<void, CompressionError> zstd_compress(std::span<const std::uint8_t> input,
                                             std::vector<std::uint8_t>& out, CompressionLevel level) {
  const std::size_t bound = ZSTD_compressBound(input.size());
  const std::size_t start = out.size();
  out.resize(start + bound);
  const std::size_t written = ZSTD_compress(out.data() + start, bound, input.data(), input.size(),
                                            level.value_or(ZSTD_CLEVEL_DEFAULT));
  if (ZSTD_isError(written)) {
    out.resize(start);
    return Unexpected{CompressionError::failed};
  }
  out.resize(start + written);
  return {};
}

Result<void, CompressionError> zstd_decompress(std::span<const std::uint8_t> input,
                                               std::vector<std::uint8_t>& out, std::size_t max_output) {
  // A frame that declares more than the budget is refused before decoding.
  const unsigned long long declared = ZSTD_getFrameContentSize(input.data(), input.size());
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != ZSTD_CONTENTSIZE_ERROR &&
      declared > max_output) {
    return Unexpected{CompressionError::too_large};
  }
  const std::unique_ptr<ZSTD_DCtx, DctxDeleter> dctx(ZSTD_createDCtx());
  if (!dctx) return Unexpected{CompressionError::failed};
  if (ZSTD_isError(ZSTD_DCtx_setParameter(dctx.get(), ZSTD_d_windowLogMax, window_log_for(max_output)))) {
    return Unexpected{CompressionError::failed};
  }

  const bool known = declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != ZSTD_CONTENTSIZE_ERROR;
  const std::size_t hint = known ? static_cast<std::size_t>(declared) : input.size() * 4;
  BoundedOutput output(out, max_output, hint);
  auto fail = [&output](CompressionError error) -> Result<void, CompressionError> {
    output.rollback();
    return Unexpected{error};
  };
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  for (;;) {
    const std::span<std::uint8_t> window = output.window();
    if (window.empty()) return fail(CompressionError::too_large);
    ZSTD_outBuffer dst{window.data(), window.size(), 0};
    const std::size_t ret = ZSTD_decompressStream(dctx.get(), &dst, &in);
    if (ZSTD_isError(ret)) return fail(classify(ret));
    output.produced(dst.pos);
    if (output.exceeded()) return fail(CompressionError::too_large);
    if (ret == 0) {
      // A frame ended; another may follow.
      if (in.pos == in.size) break;
      continue;
    }
    if (in.pos == in.size && dst.pos < dst.size) return fail(CompressionError::corrupt);
  }
  output.commit();
  return {};
}

}  // namespace conveyor::protocol::codec
