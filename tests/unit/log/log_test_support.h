#pragma once
// Helpers for the log tests: a temporary directory removed at the end, the
// bytes behind a read's FileSlice, and the batch headers in those bytes.

#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "batch_builder.h"
#include "conveyor/base/file_handle.h"
#include "conveyor/log/file_io.h"
#include "conveyor/log/partition_log.h"
#include "conveyor/protocol/record_batch_header.h"

namespace conveyor::log::testing {

using conveyor::testing::BatchBuilder;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "conveyor-log-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

inline std::vector<std::uint8_t> slice_bytes(const protocol::Records& records) {
  if (!records.is_file()) return {records.bytes().begin(), records.bytes().end()};
  const auto& slice = records.file_slice();
  std::vector<std::uint8_t> out(slice.size);
  const ssize_t n =
      ::pread(slice.file->fd(), out.data(), out.size(), static_cast<off_t>(slice.position));
  out.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
  return out;
}

// Headers of the whole batches in `bytes` (stops at anything invalid).
inline std::vector<protocol::RecordBatchHeader> batch_headers(
    const std::vector<std::uint8_t>& bytes, bool check_crc = true) {
  std::vector<protocol::RecordBatchHeader> out;
  std::size_t pos = 0;
  while (pos + protocol::kRecordBatchHeaderSize <= bytes.size()) {
    const auto span = std::span<const std::uint8_t>(bytes).subspan(pos);
    const auto h = protocol::read_batch_header(span);
    if (!h || h->size_in_bytes() > span.size()) break;
    if (check_crc && !protocol::batch_crc_matches(span.first(h->size_in_bytes()))) break;
    out.push_back(*h);
    pos += h->size_in_bytes();
  }
  return out;
}

// A new file in `dir`, open read-write.
inline std::shared_ptr<const FileHandle> temp_file(const TempDir& dir, const std::string& name) {
  const auto path = dir / name;
  return std::make_shared<const FileHandle>(io::open_rw(path, true), path.string());
}

inline std::uint64_t file_size(const std::filesystem::path& p) {
  return std::filesystem::file_size(p);
}

inline void append_bytes(const std::filesystem::path& p, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::app);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

inline void write_at(const std::filesystem::path& p, std::uint64_t position,
                     const std::vector<std::uint8_t>& bytes) {
  std::fstream out(p, std::ios::binary | std::ios::in | std::ios::out);
  out.seekp(static_cast<std::streamoff>(position));
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

}  // namespace conveyor::log::testing
