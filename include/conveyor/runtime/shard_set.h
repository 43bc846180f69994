#pragma once
// ShardSet: thread per core. Each shard is one thread running its own
// io_context; everything a shard owns (connections accepted on it, the
// partitions assigned to it) is touched only from that thread, so the hot
// paths need no locks. Work for another shard is posted to its io_context and
// the result comes back to the caller's shard (see run_on below).
//
// Lifecycle: construct, start(), ... stop() (idempotent), join(). The
// ShardSet outlives everything that runs on it.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <thread>
#include <vector>

namespace conveyor::runtime {

using ShardId = unsigned;
inline constexpr ShardId kNoShard = ~0u;

class ShardSet {
 public:
  explicit ShardSet(unsigned count);
  ~ShardSet();
  ShardSet(const ShardSet&) = delete;
  ShardSet& operator=(const ShardSet&) = delete;

  unsigned size() const { return static_cast<unsigned>(shards_.size()); }
  boost::asio::io_context& context(ShardId shard) { return shards_[shard]->context; }
  boost::asio::any_io_executor executor(ShardId shard) { return shards_[shard]->context.get_executor(); }

  // Starts one thread per shard, each running its io_context until stop().
  void start();
  // Asks every shard's event loop to return; threads exit once their loop does.
  void stop();
  void join();

  // The shard whose thread is calling, or kNoShard off the shard threads.
  static ShardId current();

 private:
  struct Shard {
    boost::asio::io_context context{1};
    std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
    std::thread thread;
  };
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace conveyor::runtime
