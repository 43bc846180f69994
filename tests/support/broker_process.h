#pragma once
// BrokerProcess: the real conveyor binary for C++ integration tests. Starts
// it on 127.0.0.1 port 0 with a fresh data directory, waits for the start-up
// log line that names the bound port (reading the broker's stderr: an
// event, not a sleep), and stops it with SIGTERM or SIGKILL.

#include <string>
#include <vector>

namespace conveyor::testing {

class BrokerProcess {
 public:
  // `overrides`: extra "key=value" settings.
  explicit BrokerProcess(std::vector<std::string> overrides = {});
  ~BrokerProcess();
  BrokerProcess(const BrokerProcess&) = delete;
  BrokerProcess& operator=(const BrokerProcess&) = delete;

  void start();
  // SIGTERM and wait; returns the exit status (0 for a clean shutdown).
  int stop();
  void kill();

  int port() const { return port_; }
  std::string bootstrap() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::string& data_dir() const { return data_dir_; }

 private:
  std::vector<std::string> overrides_;
  std::string data_dir_;
  int pid_ = -1;
  int stderr_fd_ = -1;
  int port_ = 0;
};

}  // namespace conveyor::testing
