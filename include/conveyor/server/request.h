#pragma once
// What the network front end hands to the request layer, and what it gets
// back. The server knows frames and headers; everything about what a request
// means is behind RequestHandler (implemented by api::Dispatcher).

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "conveyor/protocol/wire_writer.h"
#include "conveyor/runtime/shard_set.h"

namespace conveyor::server {

// Who sent a request; lives as long as the connection.
struct ConnectionInfo {
  std::uint64_t id = 0;
  std::string remote_address;  // "ip:port", for logs
  std::string remote_ip;
  runtime::ShardId shard = 0;
};

// An allocator whose value-initialisation is default-initialisation: a frame
// buffer is overwritten by the socket read right away, so zero-filling it
// first (std::vector's resize) is wasted work — 2.3% of the broker's CPU under
// a producer's 1 MiB requests.
template <typename T>
struct DefaultInitAllocator : std::allocator<T> {
  template <typename U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() = default;
  template <typename U>
  explicit DefaultInitAllocator(const DefaultInitAllocator<U>& /*other*/) noexcept {}
  template <typename U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

// The bytes of one request frame.
using FrameBytes = std::vector<std::uint8_t, DefaultInitAllocator<std::uint8_t>>;

// One request frame (the bytes after the 4-byte size prefix) and its parsed
// header. The frame buffer is owned here and may be modified in place by the
// handler (Produce patches offsets into the batches before appending them).
struct RequestFrame {
  std::shared_ptr<FrameBytes> bytes;
  std::int16_t api_key = 0;
  std::int16_t api_version = 0;
  std::int32_t correlation_id = 0;
  std::optional<std::string> client_id;
  std::int16_t header_version = 1;
  std::size_t body_offset = 0;  // where the request body starts in `bytes`

  std::span<const std::uint8_t> body() const {
    return std::span<const std::uint8_t>(*bytes).subspan(body_offset);
  }
};

// The handler's answer. `message` holds the response header and body (not the
// size prefix, which the connection adds); large record ranges in it are
// referenced, not copied (Writer::external()).
struct ResponseFrame {
  enum class Action : std::uint8_t {
    respond,        // send `message`
    no_response,    // acks=0 produce: nothing goes back
    close,          // malformed or unsupported request: close after earlier responses
  };
  Action action = Action::respond;
  protocol::Writer message;

  static ResponseFrame none() {
    ResponseFrame f;
    f.action = Action::no_response;
    return f;
  }
  static ResponseFrame close_connection() {
    ResponseFrame f;
    f.action = Action::close;
    return f;
  }
};

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // Runs on the connection's shard. Must not throw for bad client input.
  virtual boost::asio::awaitable<ResponseFrame> handle(const ConnectionInfo& connection,
                                                       RequestFrame request) = 0;
};

}  // namespace conveyor::server
