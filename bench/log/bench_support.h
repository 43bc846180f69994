#pragma once
// Shared by the log benchmarks: a scratch directory under $TMPDIR (on this
// machine /tmp is on the ext4 root disk, so fdatasync is real), removed when
// the benchmark ends, and the LogConfig they use.

#include <stdlib.h>

#include <filesystem>
#include <string>

#include "conveyor/log/log_config.h"

namespace conveyor::log::bench {

inline constexpr std::int64_t kNow = 1'700'000'000'000;

class BenchDir {
 public:
  BenchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "conveyor-bench-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~BenchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  BenchDir(const BenchDir&) = delete;
  BenchDir& operator=(const BenchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline LogConfig bench_config() {
  LogConfig config;
  config.segment_bytes = 256 << 20;
  config.max_message_bytes = 2 << 20;  // room for the 1 MiB batches
  return config;
}

}  // namespace conveyor::log::bench
