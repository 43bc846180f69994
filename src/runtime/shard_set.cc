#include "conveyor/runtime/shard_set.h"

#include <pthread.h>

#include <string>

namespace conveyor::runtime {

namespace {
thread_local ShardId tls_current_shard = kNoShard;
}

ShardSet::ShardSet(unsigned count) {
  if (count == 0) count = 1;
  for (unsigned i = 0; i < count; ++i) {
    auto shard = std::make_unique<Shard>();
    shard->work = std::make_unique<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(
        shard->context.get_executor());
    shards_.push_back(std::move(shard));
  }
}

ShardSet::~ShardSet() {
  stop();
  join();
}

void ShardSet::start() {
  for (ShardId id = 0; id < shards_.size(); ++id) {
    Shard* shard = shards_[id].get();
    shard->thread = std::thread([shard, id] {
      tls_current_shard = id;
      const std::string name = "shard-" + std::to_string(id);
      pthread_setname_np(pthread_self(), name.c_str());
      shard->context.run();
    });
  }
}

void ShardSet::stop() {
  for (auto& shard : shards_) {
    shard->work.reset();
    shard->context.stop();
  }
}

void ShardSet::join() {
  for (auto& shard : shards_) {
    if (shard->thread.joinable()) shard->thread.join();
  }
}

ShardId ShardSet::current() { return tls_current_shard; }

}  // namespace conveyor::runtime
