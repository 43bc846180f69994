// Replays every input the fuzzers once failed on (tests/fuzz/corpus/regressions,
// any depth, README files excepted) through every fuzz entry point, in the
// normal build and under ASan/UBSan in CI, so that a crash found once stays
// fixed. The golden captures go through the same entry points as a sanity
// check that they do not simply reject everything.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "entry_points.h"

namespace conveyor::fuzz {
namespace {

namespace fs = std::filesystem;

std::vector<std::uint8_t> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<fs::path> files_under(const fs::path& dir) {
  std::vector<fs::path> paths;
  if (!fs::exists(dir)) return paths;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().extension() == ".md") continue;
    paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

void run_every_entry_point(const std::vector<std::uint8_t>& input) {
  // Exactly the input's bytes, so that ASan catches a read past the end.
  (void)request_frame(input);
  record_batch_header(input);
  record_batch(input);
  wire_primitives(input);
}

TEST(FuzzRegression, EveryRegressionInputRunsCleanly) {
  const auto paths = files_under(fs::path(CONVEYOR_FUZZ_CORPUS_DIR) / "regressions");
  for (const auto& path : paths) {
    SCOPED_TRACE(path.string());
    run_every_entry_point(read_file(path));
  }
  RecordProperty("inputs", static_cast<int>(paths.size()));
}

TEST(FuzzRegression, GoldenCapturesDecodeThroughTheFuzzEntryPoint) {
  const auto paths = files_under(CONVEYOR_GOLDEN_DATA_DIR);
  ASSERT_FALSE(paths.empty());
  for (const auto& path : paths) {
    SCOPED_TRACE(path.string());
    const auto bytes = read_file(path);
    EXPECT_EQ(request_frame(bytes), protocol::ProtocolError::none);
    run_every_entry_point(bytes);
  }
}

TEST(FuzzRegression, EmptyAndTinyInputsAreErrors) {
  EXPECT_NE(request_frame({}), protocol::ProtocolError::none);
  const std::vector<std::uint8_t> three = {0, 0, 0};
  EXPECT_NE(request_frame(three), protocol::ProtocolError::none);
  run_every_entry_point({});
  run_every_entry_point(three);
}

}  // namespace
}  // namespace conveyor::fuzz
