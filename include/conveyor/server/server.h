#pragma once
// Server: the listeners and every connection, spread over the shards.
//
// Each shard has its own acceptor on each listener port (SO_REUSEPORT), so
// the kernel spreads new connections over the shards and a connection lives
// on the shard that accepted it. Per shard: a MemoryBudget (its share of
// queued.max.request.bytes), the set of open connections and one idle sweep
// (closes connections idle for connections.max.idle.ms); across shards:
// ConnectionLimits.
//
// Lifecycle: listen() binds (before the shards run, so bind errors are start-up
// errors, and port 0 resolves before anything is advertised); start() spawns the accept loops; shutdown() stops accepting,
// half-closes every connection so in-flight requests finish, and
// wait_for_connections() blocks the calling (non-shard) thread until all are
// closed or the deadline passes.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "conveyor/base/result.h"
#include "conveyor/runtime/shard_set.h"
#include "conveyor/server/connection.h"
#include "conveyor/server/connection_limits.h"
#include "conveyor/server/memory_budget.h"
#include "conveyor/server/request.h"

namespace conveyor::server {

struct ListenAddress {
  std::string host;  // empty or 0.0.0.0: all interfaces
  std::uint16_t port = 0;  // 0: pick a free port (the same on every shard)
};

struct ServerSettings {
  std::vector<ListenAddress> listeners;
  ConnectionSettings connection;
  std::size_t queued_max_request_bytes = 268435456;
  std::int32_t max_connections = INT32_MAX;
  std::int32_t max_connections_per_ip = INT32_MAX;
  std::int32_t socket_send_buffer_bytes = -1;
  std::int32_t socket_receive_buffer_bytes = -1;
};

class Server {
 public:
  Server(runtime::ShardSet& shards, ServerSettings settings);
  ~Server();

  Result<void, std::string> listen();
  // The port each listener bound (resolves port 0).
  std::vector<std::uint16_t> bound_ports() const { return bound_ports_; }
  // Starts accepting; requests go to `handler`, which must outlive the server.
  void start(RequestHandler& handler);
  void shutdown();
  // Returns true when every connection closed before `deadline`.
  bool wait_for_connections(std::chrono::steady_clock::time_point deadline);

 private:
  struct ShardState {
    std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors;
    std::unique_ptr<MemoryBudget> budget;
    std::map<std::uint64_t, std::weak_ptr<Connection>> connections;
    std::unique_ptr<boost::asio::steady_timer> idle_sweep;
    bool stopping = false;
  };

  boost::asio::awaitable<void> accept_loop(runtime::ShardId shard, boost::asio::ip::tcp::acceptor& acceptor);
  boost::asio::awaitable<void> idle_sweep_loop(runtime::ShardId shard);
  void on_connection_closed(runtime::ShardId shard, std::uint64_t id, const std::string& ip);

  runtime::ShardSet& shards_;
  RequestHandler* handler_ = nullptr;
  ServerSettings settings_;
  ConnectionLimits limits_;
  std::vector<std::unique_ptr<ShardState>> states_;
  std::vector<std::uint16_t> bound_ports_;
  std::atomic<std::uint64_t> next_connection_id_{1};

  std::mutex open_mutex_;
  std::condition_variable all_closed_;
};

}  // namespace conveyor::server
