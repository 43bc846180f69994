#pragma once
// ConnectionLimits: max.connections and max.connections.per.ip across all
// shards. Touched only when a connection opens or closes, never per request,
// so a mutex is fine here.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace conveyor::server {

class ConnectionLimits {
 public:
  ConnectionLimits(std::int32_t max_total, std::int32_t max_per_ip)
      : max_total_(max_total), max_per_ip_(max_per_ip) {}

  // Counts a new connection from `ip`, or returns false (and counts nothing)
  // when a limit is reached.
  bool try_open(const std::string& ip);
  void close(const std::string& ip);
  std::int32_t open_connections() const;

 private:
  mutable std::mutex mutex_;
  std::int32_t max_total_;
  std::int32_t max_per_ip_;
  std::int32_t total_ = 0;
  std::map<std::string, std::int32_t> per_ip_;
};

}  // namespace conveyor::server
