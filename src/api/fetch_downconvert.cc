#include "conveyor/api/fetch_downconvert.h"

#include <unistd.h>

#include <vector>

#include "conveyor/protocol/legacy_message_set.h"

namespace conveyor::api {

namespace {

// A bound on what one partition's conversion may inflate to.
constexpr std::size_t kMaxDownconvertBytes = 64u << 20;

// The bytes of `records`, reading them from the segment for file ranges.
bool load(const protocol::Records& records, std::vector<std::uint8_t>& out) {
  if (records.in_memory()) {
    out.assign(records.bytes().begin(), records.bytes().end());
    return true;
  }
  const auto& slice = records.file_slice();
  out.resize(slice.size);
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::pread(slice.file->fd(), out.data() + done, out.size() - done,
                              static_cast<off_t>(slice.position + done));
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

Result<protocol::Records, protocol::ErrorCode> downconvert_for_fetch(const protocol::Records& records,
                                                                     std::int16_t fetch_version,
                                                                     std::int64_t fetch_offset) {
  if (records.is_null() || records.size() == 0) return protocol::Records::empty();
  std::vector<std::uint8_t> stored;
  if (!load(records, stored)) return Unexpected{protocol::ErrorCode::kafka_storage_error};
  const std::int8_t magic = fetch_version <= 1 ? protocol::kMagicV0 : protocol::kMagicV1;
  auto converted = protocol::downconvert_batches(stored, magic, fetch_offset, kMaxDownconvertBytes);
  if (!converted) {
    // zstd has no magic 0/1 form; Kafka answers this to old fetchers too.
    return Unexpected{converted.error() == protocol::BatchError::bad_compression
                          ? protocol::ErrorCode::unsupported_compression_type
                          : protocol::ErrorCode::corrupt_message};
  }
  return protocol::Records::owned(std::move(converted.value()));
}

}  // namespace conveyor::api
