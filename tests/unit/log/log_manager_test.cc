// LogManager: partition directories spread over log.dirs, found again on
// restart, removed on topic deletion; retention over many logs.

#include <gtest/gtest.h>

#include "conveyor/log/log_manager.h"
#include "log_test_support.h"

namespace conveyor::log {
namespace {

using testing::BatchBuilder;
using testing::TempDir;

TEST(LogManager, PlacesPartitionsInTheEmptiestDirAndFindsThemAgain) {
  TempDir root;
  const std::vector<std::filesystem::path> dirs{root / "a", root / "b"};
  {
    LogManager manager(dirs, nullptr);
    ASSERT_TRUE(manager.start());
    for (int p = 0; p < 4; ++p) {
      auto log = manager.open("orders-eu", p, LogConfig{});
      ASSERT_TRUE(log);
      auto bytes = BatchBuilder().records(p + 1).build();
      ASSERT_TRUE((*log)->append(bytes, 0, 1000));
    }
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dirs[0]), {}), 2);
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dirs[1]), {}), 2);
  }
  std::filesystem::create_directories(root / "a" / "gone-0.1-delete");
  LogManager manager(dirs, nullptr);
  ASSERT_TRUE(manager.start());
  EXPECT_FALSE(std::filesystem::exists(root / "a" / "gone-0.1-delete"));
  const auto found = manager.partitions();
  ASSERT_EQ(found.size(), 4u);
  for (const auto& p : found) EXPECT_EQ(p.topic, "orders-eu");
  auto log = manager.open("orders-eu", 2, LogConfig{});
  ASSERT_TRUE(log);
  EXPECT_EQ((*log)->log_end_offset(), 3);
  const auto dir = (*log)->dir();
  log->reset();
  ASSERT_TRUE(manager.remove("orders-eu", 2));
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_EQ(manager.partitions().size(), 3u);
}

TEST(LogManager, RetentionRunsOverEveryLog) {
  TempDir root;
  LogManager manager({root / "a"}, nullptr);
  ASSERT_TRUE(manager.start());
  LogConfig config;
  config.segment_bytes = 500;
  config.retention_ms = 1000;
  std::vector<std::unique_ptr<PartitionLog>> logs;
  std::vector<PartitionLog*> raw;
  for (int p = 0; p < 3; ++p) {
    logs.push_back(manager.open("t", p, config).value());
    for (int i = 0; i < 3; ++i) {
      auto bytes = BatchBuilder().value_size(400).timestamp(1000).build();
      ASSERT_TRUE(logs.back()->append(bytes, 0, 1000));
    }
    raw.push_back(logs.back().get());
  }
  EXPECT_EQ(LogManager::enforce_retention(raw, 5000), 6u);
  for (const auto* log : raw) EXPECT_EQ(log->log_start_offset(), 2);
}

}  // namespace
}  // namespace conveyor::log
