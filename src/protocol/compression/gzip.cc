// gzip: zlib's deflate with the gzip wrapper (windowBits 15 + 16), as Java's
// GZIPOutputStream and librdkafka write it.

#include <zlib.h>

#include <climits>

#include "bounded_output.h"
#include "conveyor/protocol/compression.h"

namespace conveyor::protocol::codec {
namespace {

constexpr int kGzipWindowBits = 15 + 16;  // max window, gzip wrapper only
constexpr std::size_t kMaxZlibChunk = UINT_MAX;

// Owns a z_stream for one call.
class Deflater {
 public:
  explicit Deflater(int level) {
    ok_ = deflateInit2(&zs_, level, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY) == Z_OK;
  }
  ~Deflater() {
    if (ok_) deflateEnd(&zs_);
  }
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;
  bool ok() const { return ok_; }
  z_stream& stream() { return zs_; }

 private:
  z_stream zs_{};
  bool ok_ = false;
};

class Inflater {
 public:
  Inflater() { ok_ = inflateInit2(&zs_, kGzipWindowBits) == Z_OK; }
  ~Inflater() {
    if (ok_) inflateEnd(&zs_);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
  bool ok() const { return ok_; }
  z_stream& stream() { return zs_; }

 private:
  z_stream zs_{};
  bool ok_ = false;
};

}  // namespace

Result<void, CompressionError> gzip_compress(std::span<const std::uint8_t> input,
                                             std::vector<std::uint8_t>& out, CompressionLevel level) {
  if (input.size() > kMaxZlibChunk) return Unexpected{CompressionError::failed};
  Deflater deflater(level.value_or(Z_DEFAULT_COMPRESSION));
  if (!deflater.ok()) return Unexpected{CompressionError::failed};
  z_stream& zs = deflater.stream();
  const std::size_t start = out.size();
  const std::size_t bound = deflateBound(&zs, static_cast<uLong>(input.size()));
  out.resize(start + bound);
  // zlib's API is not const-correct; it never writes through next_in.
  zs.next_in = const_cast<Bytef*>(input.data());
  zs.avail_in = static_cast<uInt>(input.size());
  zs.next_out = out.data() + start;
  zs.avail_out = static_cast<uInt>(bound);
  // deflateBound guarantees one Z_FINISH call completes.
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
    out.resize(start);
    return Unexpected{CompressionError::failed};
  }
  out.resize(start + zs.total_out);
  return {};
}

Result<void, CompressionError> gzip_decompress(std::span<const std::uint8_t> input,
                                               std::vector<std::uint8_t>& out, std::size_t max_output) {
  if (input.size() > kMaxZlibChunk) return Unexpected{CompressionError::too_large};
  Inflater inflater;
  if (!inflater.ok()) return Unexpected{CompressionError::failed};
  z_stream& zs = inflater.stream();
  zs.next_in = const_cast<Bytef*>(input.data());
  zs.avail_in = static_cast<uInt>(input.size());

  BoundedOutput output(out, max_output, input.size() * 4);
  auto fail = [&output](CompressionError error) -> Result<void, CompressionError> {
    output.rollback();
    return Unexpected{error};
  };
  for (;;) {
    const std::span<std::uint8_t> window = output.window();
    if (window.empty()) return fail(CompressionError::too_large);
    const auto window_size = static_cast<uInt>(std::min(window.size(), kMaxZlibChunk));
    zs.next_out = window.data();
    zs.avail_out = window_size;
    const int ret = inflate(&zs, Z_NO_FLUSH);
    output.produced(window_size - zs.avail_out);
    if (output.exceeded()) return fail(CompressionError::too_large);
    if (ret == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      // Another gzip member follows (Java's GZIPInputStream reads on).
      if (inflateReset(&zs) != Z_OK) return fail(CompressionError::failed);
      continue;
    }
    if (ret == Z_MEM_ERROR) return fail(CompressionError::failed);
    if (ret != Z_OK && ret != Z_BUF_ERROR) return fail(CompressionError::corrupt);
    // All input consumed, room left, and no end of stream: truncated.
    if (zs.avail_in == 0 && zs.avail_out != 0) return fail(CompressionError::corrupt);
  }
  output.commit();
  return {};
}

}  // namespace conveyor::protocol::codec
