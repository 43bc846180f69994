// ParallelSync: every descriptor of a round is synced, by the workers and
// the caller together; one failure fails the round; rounds repeat.

#include "conveyor/log/parallel_sync.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace conveyor::log {
namespace {

struct TempFiles {
  explicit TempFiles(int n) {
    dir = std::filesystem::temp_directory_path() / ("parallel-sync-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    for (int i = 0; i < n; ++i) {
      const int fd = ::open((dir / std::to_string(i)).c_str(), O_CREAT | O_RDWR | O_TRUNC, 0644);
      EXPECT_GE(fd, 0);
      EXPECT_EQ(::write(fd, "data", 4), 4);
      fds.push_back(fd);
    }
  }
  ~TempFiles() {
    for (const int fd : fds) ::close(fd);
    std::filesystem::remove_all(dir);
  }
  std::filesystem::path dir;
  std::vector<int> fds;
};

TEST(ParallelSync, SyncsEveryFileOverManyRounds) {
  TempFiles files(7);
  ParallelSync syncer(3);
  for (int round = 0; round < 50; ++round) EXPECT_TRUE(syncer.sync_all(files.fds));
  EXPECT_TRUE(syncer.sync_all({}));
  EXPECT_TRUE(syncer.sync_all({files.fds.front()}));
}

TEST(ParallelSync, OneFailedSyncFailsTheRoundAndTheNextRoundRecovers) {
  TempFiles files(4);
  ParallelSync syncer(3);
  auto with_bad = files.fds;
  with_bad.insert(with_bad.begin() + 2, -1);  // fdatasync(-1) fails with EBADF
  EXPECT_FALSE(syncer.sync_all(with_bad));
  EXPECT_TRUE(syncer.sync_all(files.fds));
}

TEST(ParallelSync, WorksWithoutWorkers) {
  TempFiles files(3);
  ParallelSync syncer(0);
  EXPECT_TRUE(syncer.sync_all(files.fds));
  EXPECT_FALSE(syncer.sync_all({-1}));
}

}  // namespace
}  // namespace conveyor::log
