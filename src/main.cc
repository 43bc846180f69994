// conveyor: a Kafka-compatible broker. This file only wires the parts
// together: configuration, logging, the metadata controller, the log
// manager, the shards, the request dispatcher and the network server.

#include <signal.h>
#include <sys/resource.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <iostream>
#include <mutex>
#include <thread>

#include "conveyor/api/dispatcher.h"
#include "conveyor/broker/broker.h"
#include "conveyor/broker/log_lifecycle.h"
#include "conveyor/broker/log_maintenance.h"
#include "conveyor/broker/partition_table.h"
#include "conveyor/config/broker_config.h"
#include "conveyor/config/documented_yaml.h"
#include "conveyor/group/group_service.h"
#include "conveyor/log/flush_scheduler.h"
#include "conveyor/log/log_manager.h"
#include "conveyor/metadata/controller.h"
#include "conveyor/metadata/file_metadata_store.h"
#include "conveyor/server/server.h"
#include "conveyor/txn/txn_service.h"
#include "conveyor/version.h"

namespace {

using namespace conveyor;

struct Options {
  std::optional<std::string> config_file;
  std::vector<std::string> overrides;
};

void print_help() {
  std::cout << "Usage: conveyor [--config FILE] [--set key=value]...\n\n"
               "A Kafka-compatible message broker. With no options it runs one node on\n"
               "localhost:9092 with its data in ./data.\n\n"
               "Options:\n"
               "  --config FILE     read configuration from a YAML file (Kafka key names)\n"
               "  --set key=value   override one configuration key (repeatable)\n"
               "  --help            show this help and the configuration keys\n"
               "  --version         print the version\n"
               "  --print-config    print every key as documented YAML (config/conveyor.yaml)\n\n"
               "Configuration keys (defaults in brackets):\n";
  for (const auto& key : config::broker_config_keys()) {
    std::cout << "  " << key.name << " [" << key.default_value << "]\n      " << key.doc << "\n";
  }
}

// Returns the options, or an exit code when the command line says to stop.
std::variant<Options, int> parse_arguments(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string(argv[++i]);
    };
    if (arg == "--help" || arg == "-h") {
      print_help();
      return 0;
    }
    if (arg == "--print-config") {
      std::cout << config::documented_yaml();
      return 0;
    }
    if (arg == "--version") {
      std::cout << "conveyor " << kVersion << "\n";
      return 0;
    }
    if (arg == "--config") {
      auto path = value();
      if (!path) {
        std::cerr << "conveyor: --config needs a file\n";
        return 2;
      }
      options.config_file = *path;
    } else if (arg == "--set") {
      auto kv = value();
      if (!kv) {
        std::cerr << "conveyor: --set needs key=value\n";
        return 2;
      }
      options.overrides.push_back(*kv);
    } else if (arg.starts_with("--set=")) {
      options.overrides.emplace_back(arg.substr(6));
    } else if (arg.starts_with("--config=")) {
      options.config_file = std::string(arg.substr(9));
    } else {
      std::cerr << "conveyor: unknown argument '" << arg << "' (see --help)\n";
      return 2;
    }
  }
  return options;
}

// Delivers SIGINT/SIGTERM to one thread: the first asks for a clean shutdown,
// a second exits at once.
class SignalWatcher {
 public:
  SignalWatcher() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    // Blocked here, before any other thread exists, so all threads inherit it.
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    thread_ = std::thread([this] {
      int signal = 0;
      sigwait(&set_, &signal);
      {
        std::lock_guard lock(mutex_);
        requested_ = signal;
      }
      cv_.notify_all();
      sigwait(&set_, &signal);
      spdlog::warn("second signal {}: exiting immediately", signal);
      std::_Exit(1);
    });
    thread_.detach();
  }
  int wait() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [this] { return requested_ != 0; });
    return requested_;
  }

 private:
  sigset_t set_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  int requested_ = 0;
};

template <typename Awaitable>
void run_and_wait(runtime::ShardSet& shards, runtime::ShardId shard, Awaitable task) {
  std::promise<void> done;
  boost::asio::co_spawn(shards.executor(shard), std::move(task), [&](std::exception_ptr e) {
    if (e) {
      done.set_exception(e);
    } else {
      done.set_value();
    }
  });
  done.get_future().get();
}

std::string describe_listeners(const std::vector<config::Listener>& listeners) {
  std::string out;
  for (const auto& l : listeners) out += (out.empty() ? "" : ",") + l.name + "://" + l.host + ":" + std::to_string(l.port);
  return out;
}

}  // namespace

// Every segment keeps its log and two index files open (as in Kafka), and
// every client connection is a descriptor: the usual soft limit of 1024 runs
// out at a few hundred segments. Raise it to the hard limit, as Kafka's
// packaging asks operators to; the start-up line says what we got.
namespace {
void raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  }
  spdlog::info("open file limit: {}", static_cast<unsigned long long>(limit.rlim_cur));
}
}  // namespace

int main(int argc, char** argv) {
  auto parsed = parse_arguments(argc, argv);
  if (auto* code = std::get_if<int>(&parsed)) return *code;
  const Options& options = std::get<Options>(parsed);

  config::ConfigSources sources;
  auto loaded = config::load_broker_config(options.config_file, options.overrides, &sources);
  if (!loaded) {
    std::cerr << "conveyor: configuration error: " << loaded.error() << "\n";
    return 2;
  }
  config::BrokerConfig config = std::move(loaded.value());
  spdlog::set_default_logger(spdlog::stderr_color_mt("conveyor"));
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  spdlog::set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%^%l%$] %v");

  // A client that disconnects while its Fetch response is being sent with
  // sendfile(2) would otherwise kill the broker with SIGPIPE; the send fails
  // with EPIPE instead and only that connection closes.
  ::signal(SIGPIPE, SIG_IGN);
  raise_open_file_limit();
  SignalWatcher signals;
  const unsigned shard_count = config.num_network_threads > 0
                                   ? static_cast<unsigned>(config.num_network_threads)
                                   : std::max(1u, std::thread::hardware_concurrency());
  runtime::ShardSet shards(shard_count);

  // Bind first: a busy port is a start-up error, and port 0 resolves here.
  server::ServerSettings settings;
  for (const auto& l : config.listeners) settings.listeners.push_back({l.host, l.port});
  settings.connection.max_request_bytes = static_cast<std::size_t>(config.socket_request_max_bytes);
  settings.connection.idle_timeout = std::chrono::milliseconds(config.connections_max_idle_ms);
  settings.queued_max_request_bytes = static_cast<std::size_t>(config.queued_max_request_bytes);
  settings.max_connections = config.max_connections;
  settings.max_connections_per_ip = config.max_connections_per_ip;
  settings.socket_send_buffer_bytes = config.socket_send_buffer_bytes;
  settings.socket_receive_buffer_bytes = config.socket_receive_buffer_bytes;

  for (const auto& dir : config.log_dirs) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      spdlog::critical("cannot create log directory {}: {}", dir, ec.message());
      return 1;
    }
  }
  auto store = metadata::FileMetadataStore::open(config.log_dirs.front() + "/cluster-metadata.log");
  if (!store) {
    spdlog::critical("{}", store.error());
    return 1;
  }

  // Group commit for every log, then the log dirs (finishing interrupted
  // topic deletions). Partition logs are opened by the shards that own them
  // when the metadata image is first published.
  log::FlushScheduler flusher;
  log::LogManager logs({config.log_dirs.begin(), config.log_dirs.end()}, &flusher);
  if (auto started = logs.start(); !started) {
    spdlog::critical("cannot use log.dirs {}: {}", fmt::join(config.log_dirs, ","), log::to_string(started.error()));
    return 1;
  }
  broker::LogLifecycle lifecycle(config, logs, shard_count);

  server::Server server(shards, settings);
  if (auto listening = server.listen(); !listening) {
    spdlog::critical("{}", listening.error());
    return 1;
  }
  const auto ports = server.bound_ports();
  for (std::size_t i = 0; i < config.advertised_listeners.size() && i < ports.size(); ++i) {
    if (config.advertised_listeners[i].port == 0) config.advertised_listeners[i].port = ports[i];
    if (config.advertised_listeners[i].host.empty() || config.advertised_listeners[i].host == "0.0.0.0") {
      config.advertised_listeners[i].host = "localhost";
    }
  }
  const auto& advertised = config.advertised_listeners.front();
  auto controller = std::make_unique<metadata::Controller>(
      config, *store.value(),
      std::vector<metadata::BrokerInfo>{{config.node_id, advertised.host, advertised.port, std::nullopt}});
  if (auto ok = controller->load(); !ok) {
    spdlog::critical("cannot load the metadata log: {}", ok.error());
    return 1;
  }
  // Group coordinators, one per shard; they load the __consumer_offsets
  // partitions their shard opens (group/group_service.h).
  group::GroupService groups(config, shards);
  group::GroupLifecycle group_lifecycle(lifecycle, groups);
  // Transaction coordinators, likewise, for __transaction_state
  // (txn/txn_service.h).
  txn::TxnService txns(config, shards);
  txn::TxnLifecycle txn_lifecycle(group_lifecycle, txns);
  broker::Broker broker(config, shards, *controller, txn_lifecycle);
  groups.attach(broker);
  broker.set_groups(&groups);
  txns.attach(broker);
  broker.set_txns(&txns);
  api::Dispatcher dispatcher(broker);

  shards.start();
  groups.start();
  txns.start();
  run_and_wait(shards, 0, broker.publish_image());
  server.start(dispatcher);
  const std::chrono::milliseconds retention_interval(std::max<std::int64_t>(config.log_retention_check_interval_ms, 1));
  const std::chrono::milliseconds checkpoint_interval(
      std::max<std::int64_t>(config.log_flush_offset_checkpoint_interval_ms, 1));
  const std::chrono::milliseconds producer_expiry_interval(
      std::max<std::int64_t>(config.producer_id_expiration_check_interval_ms, 1));
  const std::chrono::milliseconds producer_expiration(config.producer_id_expiration_ms);
  const std::chrono::milliseconds cleaner_backoff(std::max<std::int64_t>(config.log_cleaner_backoff_ms, 1));
  // Compaction's reading and rewriting of segments runs here, off the shards.
  boost::asio::thread_pool cleaner_pool(static_cast<std::size_t>(std::max(config.log_cleaner_threads, 1)));
  for (runtime::ShardId shard = 0; shard < shards.size(); ++shard) {
    boost::asio::co_spawn(shards.executor(shard), broker::retention_loop(broker, retention_interval),
                          boost::asio::detached);
    boost::asio::co_spawn(shards.executor(shard), broker::checkpoint_loop(broker, checkpoint_interval),
                          boost::asio::detached);
    boost::asio::co_spawn(shards.executor(shard),
                          broker::producer_expiry_loop(broker, producer_expiry_interval, producer_expiration),
                          boost::asio::detached);
    if (config.log_cleaner_enable) {
      boost::asio::co_spawn(shards.executor(shard),
                            broker::compaction_loop(broker, cleaner_pool.get_executor(), cleaner_backoff),
                            boost::asio::detached);
    }
  }
  auto bound = config.listeners;
  for (std::size_t i = 0; i < bound.size() && i < ports.size(); ++i) bound[i].port = ports[i];
  spdlog::info("conveyor {} started: node.id={} cluster.id={} listeners={} advertised.listeners={} log.dirs={} "
               "shards={} config={}{}",
               kVersion, config.node_id, controller->image()->cluster_id(), describe_listeners(bound),
               describe_listeners(config.advertised_listeners), fmt::join(config.log_dirs, ","), shard_count,
               sources.file ? *sources.file : "embedded default",
               sources.overridden_keys.empty() ? std::string()
                                               : fmt::format(" with --set {}", fmt::join(sources.overridden_keys, ",")));

  const int signal = signals.wait();
  spdlog::info("signal {}: shutting down (in-flight requests finish, logs are flushed)", signal);
  server.shutdown();
  groups.stop();  // JoinGroup and SyncGroup waiting for a rebalance answer now
  txns.stop();
  if (!server.wait_for_connections(std::chrono::steady_clock::now() +
                                   std::chrono::milliseconds(config.shutdown_timeout_ms))) {
    spdlog::warn("connections still open after {} ms; closing anyway", config.shutdown_timeout_ms);
  }
  // Close every log on its own shard (flush, checkpoints, clean-shutdown
  // marker), then stop the shards and the flusher.
  for (runtime::ShardId shard = 0; shard < shards.size(); ++shard) {
    auto close = [&broker]() -> boost::asio::awaitable<void> {
      broker::close_shard_logs(broker);
      co_return;
    };
    run_and_wait(shards, shard, close());
  }
  shards.stop();
  shards.join();
  flusher.stop();
  // What group commit did over the process's life: requests per round and
  // syncs per round are what a durable produce's throughput follows.
  spdlog::info("group commit: {} flush requests in {} rounds, {} fdatasyncs, {} overwrite write-backs, "
               "{} instantiations of zeros written ahead",
               flusher.request_count(), flusher.round_count(), flusher.sync_count(), flusher.overwrite_count(),
               flusher.instantiation_count());
  spdlog::info("conveyor stopped");
  return 0;
}
