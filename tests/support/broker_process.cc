#include "broker_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string_view>
#include <stdexcept>
#include <thread>

namespace conveyor::testing {

BrokerProcess::BrokerProcess(std::vector<std::string> overrides) : overrides_(std::move(overrides)) {
  std::string pattern = (std::filesystem::temp_directory_path() / "conveyor-cpp-it-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  data_dir_ = pattern;
}

BrokerProcess::~BrokerProcess() {
  kill();
  std::error_code ignored;
  std::filesystem::remove_all(data_dir_, ignored);
}

void BrokerProcess::start() {
  const char* binary = std::getenv("CONVEYOR_BIN");
  if (binary == nullptr) throw std::runtime_error("CONVEYOR_BIN must point at the conveyor binary");
  std::vector<std::string> args = {binary, "--set", "listeners=PLAINTEXT://127.0.0.1:0", "--set",
                                   "log.dirs=" + data_dir_};
  for (const auto& o : overrides_) {
    args.push_back("--set");
    args.push_back(o);
  }
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ == 0) {
    dup2(pipe_fds[1], STDERR_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  stderr_fd_ = pipe_fds[0];
  // Read lines until the start-up line; EOF means the broker died.
  static constexpr std::string_view kStarted = "started: ";
  static constexpr std::string_view kListener = "listeners=PLAINTEXT://127.0.0.1:";
  std::string buffer;
  char chunk[4096];
  for (;;) {
    const ssize_t n = read(stderr_fd_, chunk, sizeof chunk);
    if (n <= 0) throw std::runtime_error("broker exited during start-up:\n" + buffer);
    buffer.append(chunk, static_cast<std::size_t>(n));
    // (No std::regex: GCC 12 warns inside it under the sanitizer build.)
    const auto line = buffer.find(kStarted);
    const auto listener = line == std::string::npos ? line : buffer.find(kListener, line);
    if (listener != std::string::npos) {
      const auto digits = listener + kListener.size();
      const auto end = buffer.find_first_not_of("0123456789", digits);
      if (end != std::string::npos && end > digits) {
        port_ = std::stoi(buffer.substr(digits, end - digits));
        break;
      }
    }
  }
  // Keep draining stderr so the broker never blocks on a full pipe; the
  // thread ends (and closes the pipe) when the broker exits.
  std::thread([fd = stderr_fd_] {
    char sink[4096];
    while (read(fd, sink, sizeof sink) > 0) {
    }
    close(fd);
  }).detach();
  stderr_fd_ = -1;
}

int BrokerProcess::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void BrokerProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

}  // namespace conveyor::testing
