#pragma once
// Connection: one client socket, served by two coroutines on the shard that
// accepted it.
//
//   reader:  size prefix -> (limits, memory budget) -> frame -> header
//            -> a slot at the back of the in-flight queue -> handler started
//   writer:  waits for the slot at the FRONT of the queue to be ready, writes
//            it (coalescing consecutive ready responses into one writev,
//            sendfile for record ranges from segment files), pops it
//
// Handlers run concurrently, so a slow request (a long-polling Fetch) does
// not stop later ones from being processed, but responses always leave in
// request order because only the front slot is ever written. The queue is
// bounded (max_in_flight); when it is full the reader stops reading.
//
// Shutdown: stop_reading() half-closes the receive side; the reader sees EOF,
// the writer drains what is in flight, then the socket closes. Any socket
// error, malformed frame or idle timeout closes this connection only. Idle
// timeouts are checked by the shard's sweep (Server), not by a timer per
// connection: a timer each would wake the shard once per second per
// connection, which 1,000 idle clients turn into 1,000 wake-ups a second.
//
// Lifetime: shared_ptr held by its coroutines; owned by the shard's
// ConnectionRegistry entry until closed. Shard-local, not thread-safe.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "conveyor/runtime/event.h"
#include "conveyor/server/memory_budget.h"
#include "conveyor/server/request.h"

namespace conveyor::server {

struct ConnectionSettings {
  std::size_t max_request_bytes = 104857600;
  std::chrono::milliseconds idle_timeout{600000};
  std::size_t max_in_flight = 64;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(boost::asio::ip::tcp::socket socket, ConnectionInfo info, ConnectionSettings settings,
             RequestHandler& handler, MemoryBudget& budget, std::function<void()> on_closed);

  void start();
  void stop_reading();
  // Closes the connection when nothing is in flight and it has not read or
  // written for idle_timeout (connections.max.idle.ms) at `now`.
  void close_if_idle(std::chrono::steady_clock::time_point now);
  const ConnectionInfo& info() const { return info_; }

 private:
  struct Slot {
    bool ready = false;
    std::size_t budget_bytes = 0;
    ResponseFrame response;
  };

  boost::asio::awaitable<void> read_loop();
  boost::asio::awaitable<void> write_loop();
  boost::asio::awaitable<void> run_handler(RequestFrame request, Slot* slot);
  // Fills `count` bytes at `out` from the read buffer, then the socket.
  boost::asio::awaitable<bool> read_exact(std::uint8_t* out, std::size_t count);
  boost::asio::awaitable<bool> write_responses(std::vector<Slot*>& batch);
  boost::asio::awaitable<bool> write_with_files(protocol::Writer& message);
  void close();
  void touch() { last_activity_ = std::chrono::steady_clock::now(); }

  boost::asio::ip::tcp::socket socket_;
  ConnectionInfo info_;
  ConnectionSettings settings_;
  RequestHandler& handler_;
  MemoryBudget& budget_;
  std::function<void()> on_closed_;

  // Not zero-filled: an idle connection's buffer stays untouched (no RSS).
  std::unique_ptr<std::uint8_t[]> read_buffer_;
  std::size_t read_begin_ = 0;
  std::size_t read_end_ = 0;

  std::deque<Slot> queue_;
  runtime::Event queue_changed_;
  bool reading_done_ = false;
  bool closed_ = false;
  std::chrono::steady_clock::time_point last_activity_;
};

}  // namespace conveyor::server
