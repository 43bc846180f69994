// stall_probe: does this machine freeze while it syncs to disk?
//
//   stall_probe [--dir DIR] [--seconds S] [--rates "0 250 500 1000 2000 4000"]
//
// For each rate, one thread spins on the clock and adds up every gap longer
// than 1 ms it sees (time it was not running), while a second thread writes
// 4 KiB and fdatasyncs it, paced at the rate (0: no syncs at all). On bare
// metal the spinner loses next to nothing whatever the rate. On the VMs this
// project is measured on, the host counts the guest's I/O against its CPU
// quota: past a few hundred fsyncs/s the whole guest stops for about 9 ms at a
// time, about every 100 ms — which is what a group-commit broker's p99 meets
// (docs/benchmarks.md, "Why the tail latency target is missed here").
//
// Prints one line per rate: fsyncs/s achieved, stalls, share of time stalled.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Stalls {
  int count = 0;
  double seconds = 0;
};

Stalls spin_for(double seconds) {
  Stalls stalls;
  const auto start = Clock::now();
  auto last = start;
  for (;;) {
    const auto now = Clock::now();
    const double gap = std::chrono::duration<double>(now - last).count();
    if (gap > 0.001) {
      ++stalls.count;
      stalls.seconds += gap;
    }
    last = now;
    if (std::chrono::duration<double>(now - start).count() >= seconds) return stalls;
  }
}

long sync_at(const std::string& path, double rate, double seconds, const std::atomic<bool>& stop) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    std::perror(path.c_str());
    std::exit(1);
  }
  char block[4096];
  std::memset(block, 'x', sizeof block);
  const auto start = Clock::now();
  long done = 0;
  while (!stop.load() && std::chrono::duration<double>(Clock::now() - start).count() < seconds) {
    const auto due = start + std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(done / rate));
    std::this_thread::sleep_until(due);
    if (::pwrite(fd, block, sizeof block, static_cast<off_t>(done % 4096) * 4096) != sizeof block ||
        ::fdatasync(fd) != 0) {
      std::perror("write/fdatasync");
      std::exit(1);
    }
    ++done;
  }
  ::close(fd);
  ::unlink(path.c_str());
  return done;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = ".";
  double seconds = 3;
  std::string rates = "0 250 500 1000 2000 4000";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--dir")
      dir = argv[i + 1];
    else if (flag == "--seconds")
      seconds = std::atof(argv[i + 1]);
    else if (flag == "--rates")
      rates = argv[i + 1];
    else {
      std::fprintf(stderr,
                   "usage: stall_probe [--dir DIR] [--seconds S] [--rates \"R1 R2 ...\"]\n");
      return 2;
    }
  }
  std::istringstream list(rates);
  std::printf("%10s %12s %8s %10s\n", "rate", "fsyncs/s", "stalls", "stalled");
  for (double rate; list >> rate;) {
    std::atomic<bool> stop{false};
    long syncs = 0;
    std::thread syncer;
    if (rate > 0)
      syncer = std::thread([&] { syncs = sync_at(dir + "/stall_probe.tmp", rate, seconds, stop); });
    const Stalls stalls = spin_for(seconds);
    stop = true;
    if (syncer.joinable()) syncer.join();
    std::printf("%10.0f %12.0f %8d %9.1f%%\n", rate, syncs / seconds, stalls.count,
                100 * stalls.seconds / seconds);
  }
  return 0;
}
