#include "conveyor/server/connection.h"

#include <spdlog/spdlog.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstring>

#include "conveyor/server/request_header_parser.h"

namespace conveyor::server {

namespace asio = boost::asio;
using asio::ip::tcp;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

namespace {

constexpr std::size_t kReadBufferSize = 64 * 1024;
constexpr std::size_t kMaxCoalescedResponses = 32;

std::uint32_t load_be32(const std::uint8_t* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return __builtin_bswap32(v);
}

}  // namespace

Connection::Connection(tcp::socket socket, ConnectionInfo info, ConnectionSettings settings,
                       RequestHandler& handler, MemoryBudget& budget, std::function<void()> on_closed)
    : socket_(std::move(socket)),
      info_(std::move(info)),
      settings_(settings),
      handler_(handler),
      budget_(budget),
      on_closed_(std::move(on_closed)),
      read_buffer_(std::make_unique_for_overwrite<std::uint8_t[]>(kReadBufferSize)),
      queue_changed_(socket_.get_executor()) {
  touch();
}

void Connection::start() {
  auto self = shared_from_this();
  asio::co_spawn(socket_.get_executor(), [self]() { return self->read_loop(); }, asio::detached);
  asio::co_spawn(socket_.get_executor(), [self]() { return self->write_loop(); }, asio::detached);
}

void Connection::stop_reading() {
  if (closed_) return;
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_receive, ignored);
}

asio::awaitable<bool> Connection::read_exact(std::uint8_t* out, std::size_t count) {
  const std::size_t buffered = std::min(count, read_end_ - read_begin_);
  std::memcpy(out, read_buffer_.get() + read_begin_, buffered);
  read_begin_ += buffered;
  out += buffered;
  count -= buffered;
  if (count == 0) co_return true;
  if (count >= kReadBufferSize / 2) {
    // Large remainder: read straight into the destination.
    auto [ec, n] = co_await asio::async_read(socket_, asio::buffer(out, count), kAsTuple);
    touch();
    co_return !ec;
  }
  // Small remainder: refill the buffer, taking whatever else has arrived too.
  read_begin_ = read_end_ = 0;
  while (read_end_ < count) {
    auto [ec, n] = co_await socket_.async_read_some(
        asio::buffer(read_buffer_.get() + read_end_, kReadBufferSize - read_end_), kAsTuple);
    if (ec) co_return false;
    read_end_ += n;
    touch();
  }
  std::memcpy(out, read_buffer_.get(), count);
  read_begin_ = count;
  co_return true;
}

asio::awaitable<void> Connection::read_loop() {
  std::uint8_t size_bytes[4];
  while (!closed_) {
    if (!co_await read_exact(size_bytes, 4)) break;
    const auto size = static_cast<std::int32_t>(load_be32(size_bytes));
    if (size < 8 || static_cast<std::size_t>(size) > settings_.max_request_bytes) {
      // Checked before any allocation: a 2 GiB prefix costs nothing.
      spdlog::warn("closing connection from {}: request size {} outside [8, {}] (socket.request.max.bytes)",
                   info_.remote_address, size, settings_.max_request_bytes);
      break;
    }
    co_await budget_.acquire(static_cast<std::size_t>(size));
    auto bytes = std::make_shared<FrameBytes>(static_cast<std::size_t>(size));
    if (!co_await read_exact(bytes->data(), bytes->size())) {
      budget_.release(static_cast<std::size_t>(size));
      break;
    }
    auto frame = parse_request_frame(std::move(bytes));
    if (!frame) {
      budget_.release(static_cast<std::size_t>(size));
      spdlog::warn("closing connection from {}: malformed request header ({})", info_.remote_address,
                   protocol::to_string(frame.error()));
      break;
    }
    while (queue_.size() >= settings_.max_in_flight && !closed_) co_await queue_changed_.wait();
    if (closed_) {
      budget_.release(static_cast<std::size_t>(size));
      break;
    }
    Slot& slot = queue_.emplace_back();
    slot.budget_bytes = static_cast<std::size_t>(size);
    auto self = shared_from_this();
    asio::co_spawn(
        socket_.get_executor(),
        [self, request = std::move(frame.value()), slot_ptr = &slot]() mutable {
          return self->run_handler(std::move(request), slot_ptr);
        },
        asio::detached);
  }
  reading_done_ = true;
  queue_changed_.notify_all();
}

asio::awaitable<void> Connection::run_handler(RequestFrame request, Slot* slot) {
  const std::int16_t api_key = request.api_key;
  try {
    slot->response = co_await handler_.handle(info_, std::move(request));
  } catch (const std::exception& e) {
    spdlog::error("request handler failed for api key {} from {}: {}", api_key, info_.remote_address, e.what());
    slot->response = ResponseFrame::close_connection();
  }
  slot->ready = true;
  queue_changed_.notify_all();
}

asio::awaitable<void> Connection::write_loop() {
  std::vector<Slot*> batch;
  for (;;) {
    while (!closed_ && (queue_.empty() || !queue_.front().ready)) {
      if (reading_done_ && queue_.empty()) break;
      co_await queue_changed_.wait();
    }
    if (closed_ || queue_.empty()) break;

    // Take the ready prefix of the queue (in order), up to a bound.
    batch.clear();
    bool close_after = false;
    for (auto& slot : queue_) {
      if (!slot.ready || batch.size() == kMaxCoalescedResponses) break;
      batch.push_back(&slot);
      if (slot.response.action == ResponseFrame::Action::close) {
        close_after = true;
        break;
      }
    }
    const bool ok = co_await write_responses(batch);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      budget_.release(queue_.front().budget_bytes);
      queue_.pop_front();
    }
    queue_changed_.notify_all();
    if (!ok || close_after) break;
  }
  // Release the budget of requests whose responses will never be written.
  close();
  while (!queue_.empty()) {
    while (!queue_.front().ready) co_await queue_changed_.wait();
    budget_.release(queue_.front().budget_bytes);
    queue_.pop_front();
  }
}

asio::awaitable<bool> Connection::write_responses(std::vector<Slot*>& batch) {
  std::vector<asio::const_buffer> buffers;
  buffers.reserve(batch.size());
  for (Slot* slot : batch) {
    if (slot->response.action != ResponseFrame::Action::respond) continue;
    protocol::Writer& message = slot->response.message;
    // The handler reserved the first four bytes for the size prefix.
    message.patch_int32(0, static_cast<std::int32_t>(message.size() - 4));
    if (message.external().empty()) {
      buffers.push_back(asio::buffer(message.buffer()));
      continue;
    }
    if (!buffers.empty()) {
      auto [ec, n] = co_await asio::async_write(socket_, buffers, kAsTuple);
      if (ec) co_return false;
      buffers.clear();
    }
    if (!co_await write_with_files(message)) co_return false;
  }
  if (!buffers.empty()) {
    auto [ec, n] = co_await asio::async_write(socket_, buffers, kAsTuple);
    if (ec) co_return false;
  }
  touch();
  co_return true;
}

asio::awaitable<bool> Connection::write_with_files(protocol::Writer& message) {
  const auto& buffer = message.buffer();
  std::size_t written = 0;  // of `buffer`
  std::vector<asio::const_buffer> pending;
  auto flush_pending = [&]() -> asio::awaitable<bool> {
    if (pending.empty()) co_return true;
    auto [ec, n] = co_await asio::async_write(socket_, pending, kAsTuple);
    pending.clear();
    co_return !ec;
  };
  for (const auto& piece : message.external()) {
    if (piece.buffer_offset > written) {
      pending.push_back(asio::buffer(buffer.data() + written, piece.buffer_offset - written));
      written = piece.buffer_offset;
    }
    if (piece.records.in_memory()) {
      pending.push_back(asio::buffer(piece.records.bytes().data(), piece.records.size()));
      continue;
    }
    if (!co_await flush_pending()) co_return false;
    // sendfile: the kernel copies page-cache pages to the socket.
    const auto& slice = piece.records.file_slice();
    off_t offset = static_cast<off_t>(slice.position);
    std::size_t remaining = slice.size;
    if (!socket_.native_non_blocking()) socket_.native_non_blocking(true);
    while (remaining > 0) {
      const ssize_t n = ::sendfile(socket_.native_handle(), slice.file->fd(), &offset, remaining);
      if (n > 0) {
        remaining -= static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        auto [ec] = co_await socket_.async_wait(tcp::socket::wait_write, kAsTuple);
        if (ec) co_return false;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      // n == 0: the file is shorter than the slice (truncated underneath us).
      spdlog::error("sendfile to {} failed: {}", info_.remote_address,
                    n == 0 ? "file shorter than expected" : std::strerror(errno));
      co_return false;
    }
  }
  if (written < buffer.size()) {
    pending.push_back(asio::buffer(buffer.data() + written, buffer.size() - written));
  }
  co_return co_await flush_pending();
}

void Connection::close_if_idle(std::chrono::steady_clock::time_point now) {
  if (closed_ || !queue_.empty() || now - last_activity_ < settings_.idle_timeout) return;
  spdlog::debug("closing idle connection from {}", info_.remote_address);
  close();
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  queue_changed_.notify_all();
  if (on_closed_) on_closed_();
}

}  // namespace conveyor::server
