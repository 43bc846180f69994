#include "conveyor/server/server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace conveyor::server {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

Result<tcp::endpoint, std::string> resolve(asio::io_context& context, const ListenAddress& address) {
  if (address.host.empty() || address.host == "0.0.0.0") return tcp::endpoint(tcp::v4(), address.port);
  if (address.host == "::") return tcp::endpoint(tcp::v6(), address.port);
  boost::system::error_code ec;
  tcp::resolver resolver(context);
  auto results = resolver.resolve(address.host, std::to_string(address.port), ec);
  if (ec || results.empty()) {
    return Unexpected{"cannot resolve listener host '" + address.host + "': " + ec.message()};
  }
  // Prefer IPv4 (localhost resolves to both; clients try 127.0.0.1 first).
  for (const auto& entry : results) {
    if (entry.endpoint().address().is_v4()) return entry.endpoint();
  }
  return results.begin()->endpoint();
}

}  // namespace

Server::Server(runtime::ShardSet& shards, ServerSettings settings)
    : shards_(shards),
      settings_(std::move(settings)),
      limits_(settings_.max_connections, settings_.max_connections_per_ip) {
  const std::size_t per_shard = settings_.queued_max_request_bytes == static_cast<std::size_t>(-1)
                                    ? SIZE_MAX
                                    : std::max<std::size_t>(settings_.queued_max_request_bytes / shards.size(), 1);
  for (runtime::ShardId shard = 0; shard < shards.size(); ++shard) {
    auto state = std::make_unique<ShardState>();
    state->budget = std::make_unique<MemoryBudget>(shards.executor(shard), per_shard);
    state->idle_sweep = std::make_unique<asio::steady_timer>(shards.executor(shard));
    states_.push_back(std::move(state));
  }
}

Server::~Server() = default;

Result<void, std::string> Server::listen() {
  for (const auto& address : settings_.listeners) {
    auto endpoint = resolve(shards_.context(0), address);
    if (!endpoint) return Unexpected{endpoint.error()};
    std::uint16_t port = address.port;
    for (runtime::ShardId shard = 0; shard < shards_.size(); ++shard) {
      auto acceptor = std::make_unique<tcp::acceptor>(shards_.context(shard));
      tcp::endpoint bind_to = endpoint.value();
      bind_to.port(port);
      boost::system::error_code ec;
      acceptor->open(bind_to.protocol(), ec);
      if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
      if (!ec) acceptor->set_option(ReusePort(true), ec);
      if (!ec) acceptor->bind(bind_to, ec);
      if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
      if (ec) {
        return Unexpected{"cannot listen on " + address.host + ":" + std::to_string(port) + ": " + ec.message()};
      }
      // Port 0: the first shard's bind picks the port, the others share it.
      port = acceptor->local_endpoint().port();
      states_[shard]->acceptors.push_back(std::move(acceptor));
    }
    bound_ports_.push_back(port);
  }
  return {};
}

void Server::start(RequestHandler& handler) {
  handler_ = &handler;
  for (runtime::ShardId shard = 0; shard < shards_.size(); ++shard) {
    for (auto& acceptor : states_[shard]->acceptors) {
      asio::co_spawn(shards_.executor(shard), accept_loop(shard, *acceptor), asio::detached);
    }
    asio::co_spawn(shards_.executor(shard), idle_sweep_loop(shard), asio::detached);
  }
}

asio::awaitable<void> Server::idle_sweep_loop(runtime::ShardId shard) {
  ShardState& state = *states_[shard];
  // A connection is closed between idle_timeout and idle_timeout + one
  // interval after its last read or write (Kafka's check is as coarse).
  const auto interval =
      std::min<std::chrono::milliseconds>(settings_.connection.idle_timeout, std::chrono::milliseconds(1000));
  std::vector<std::shared_ptr<Connection>> open;
  while (!state.stopping) {
    state.idle_sweep->expires_after(interval);
    co_await state.idle_sweep->async_wait(asio::as_tuple(asio::use_awaitable));
    if (state.stopping) break;
    // Closing erases the connection from the map: collect first.
    for (auto& [id, weak] : state.connections) {
      if (auto connection = weak.lock()) open.push_back(std::move(connection));
    }
    const auto now = std::chrono::steady_clock::now();
    for (auto& connection : open) connection->close_if_idle(now);
    open.clear();
  }
}

asio::awaitable<void> Server::accept_loop(runtime::ShardId shard, tcp::acceptor& acceptor) {
  ShardState& state = *states_[shard];
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      spdlog::warn("accept failed: {}", ec.message());
      continue;
    }
    boost::system::error_code opt_ec;
    const auto remote = socket.remote_endpoint(opt_ec);
    if (opt_ec) continue;
    const std::string ip = remote.address().to_string();
    if (!limits_.try_open(ip)) {
      spdlog::warn("refusing connection from {}: max.connections or max.connections.per.ip reached", ip);
      socket.close(opt_ec);
      continue;
    }
    socket.set_option(tcp::no_delay(true), opt_ec);
    if (settings_.socket_send_buffer_bytes > 0) {
      socket.set_option(asio::socket_base::send_buffer_size(settings_.socket_send_buffer_bytes), opt_ec);
    }
    if (settings_.socket_receive_buffer_bytes > 0) {
      socket.set_option(asio::socket_base::receive_buffer_size(settings_.socket_receive_buffer_bytes), opt_ec);
    }
    ConnectionInfo info;
    info.id = next_connection_id_++;
    info.remote_ip = ip;
    info.remote_address = ip + ":" + std::to_string(remote.port());
    info.shard = shard;
    const std::uint64_t id = info.id;
    auto connection = std::make_shared<Connection>(
        std::move(socket), std::move(info), settings_.connection, *handler_, *state.budget,
        [this, shard, id, ip] { on_connection_closed(shard, id, ip); });
    state.connections[id] = connection;
    connection->start();
  }
}

void Server::on_connection_closed(runtime::ShardId shard, std::uint64_t id, const std::string& ip) {
  states_[shard]->connections.erase(id);
  limits_.close(ip);
  std::lock_guard lock(open_mutex_);
  all_closed_.notify_all();
}

void Server::shutdown() {
  for (runtime::ShardId shard = 0; shard < shards_.size(); ++shard) {
    asio::post(shards_.executor(shard), [this, shard] {
      ShardState& state = *states_[shard];
      state.stopping = true;
      state.idle_sweep->cancel();
      for (auto& acceptor : state.acceptors) {
        boost::system::error_code ignored;
        acceptor->close(ignored);
      }
      for (auto& [id, weak] : state.connections) {
        if (auto connection = weak.lock()) connection->stop_reading();
      }
    });
  }
}

bool Server::wait_for_connections(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(open_mutex_);
  return all_closed_.wait_until(lock, deadline, [this] { return limits_.open_connections() == 0; });
}

}  // namespace conveyor::server
