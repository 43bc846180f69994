// page_cost: what a page of memory the kernel has to hand out costs here.
//
//   page_cost [--dir DIR] [--mib N]
//
// Writing a log means filling page-cache pages the file did not have yet;
// on bare metal a new page costs a fraction of a microsecond (zeroing 4 KiB).
// On the VMs this project is measured on it costs about 9 us, whether the
// page backs anonymous memory or a file, and even right after the same
// amount was freed — so filling the page cache tops out near 450 MB/s per
// thread and costs CPU a broker that keeps little in memory (librdkafka's
// mock) never pays (docs/benchmarks.md, "What bounds 1 KiB acks=all").
//
// Prints the cost per 4 KiB page of: touching fresh anonymous memory (three
// rounds, each unmapping before the next), writing N MiB into a new file
// (new page-cache pages), and writing the same N MiB again (cached pages).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kPage = 4096;
constexpr std::size_t kBlock = 64 * 1024;
alignas(4096) const std::array<char, kBlock> kZeros{};

double us_since(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

double anonymous_round(std::size_t bytes) {
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    std::perror("mmap");
    std::exit(1);
  }
  auto* bytes_p = static_cast<volatile char*>(p);
  const auto start = Clock::now();
  for (std::size_t i = 0; i < bytes; i += kPage) bytes_p[i] = 1;
  const double us = us_since(start);
  ::munmap(p, bytes);
  return us / static_cast<double>(bytes / kPage);
}

double file_round(int fd, std::size_t bytes) {
  std::vector<iovec> iov(bytes / kBlock, iovec{const_cast<char*>(kZeros.data()), kBlock});
  const auto start = Clock::now();
  std::size_t done = 0;
  for (std::size_t i = 0; i < iov.size(); i += 64) {
    const int count = static_cast<int>(std::min<std::size_t>(64, iov.size() - i));
    const ssize_t n = ::pwritev(fd, iov.data() + i, count, static_cast<off_t>(done));
    if (n != static_cast<ssize_t>(count * kBlock)) {
      std::perror("pwritev");
      std::exit(1);
    }
    done += static_cast<std::size_t>(n);
  }
  return us_since(start) / static_cast<double>(bytes / kPage);
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = ".";
  std::size_t mib = 256;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--dir") == 0) {
      dir = argv[i + 1];
    } else if (std::strcmp(argv[i], "--mib") == 0) {
      mib = std::strtoull(argv[i + 1], nullptr, 10);
    } else {
      std::fprintf(stderr, "usage: page_cost [--dir DIR] [--mib N]\n");
      return 2;
    }
  }
  const std::size_t bytes = std::max<std::size_t>(mib, 1) << 20;
  for (int round = 0; round < 3; ++round)
    std::printf("anonymous memory, round %d: %.2f us per new page\n", round,
                anonymous_round(bytes));
  const std::string path = dir + "/page_cost.tmp";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) {
    std::perror(path.c_str());
    return 1;
  }
  ::unlink(path.c_str());
  std::printf("file, new page-cache pages: %.2f us per page\n", file_round(fd, bytes));
  std::printf("file, the same pages again: %.2f us per page\n", file_round(fd, bytes));
  ::close(fd);
  return 0;
}
