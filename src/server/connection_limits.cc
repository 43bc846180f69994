#include "conveyor/server/connection_limits.h"

namespace conveyor::server {

bool ConnectionLimits::try_open(const std::string& ip) {
  std::lock_guard lock(mutex_);
  if (total_ >= max_total_) return false;
  auto& count = per_ip_[ip];
  if (count >= max_per_ip_) {
    if (count == 0) per_ip_.erase(ip);
    return false;
  }
  ++count;
  ++total_;
  return true;
}

void ConnectionLimits::close(const std::string& ip) {
  std::lock_guard lock(mutex_);
  auto it = per_ip_.find(ip);
  if (it == per_ip_.end()) return;
  --total_;
  if (--it->second == 0) per_ip_.erase(it);
}

std::int32_t ConnectionLimits::open_connections() const {
  std::lock_guard lock(mutex_);
  return total_;
}

}  // namespace conveyor::server
