#pragma once
// PartitionTable: the partitions one shard owns, by (topic id, partition).
// Touched only on its shard. Each Partition holds the partition's log and
// the long-polling fetches waiting for data to arrive on it.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "conveyor/protocol/uuid.h"
#include "conveyor/broker/fetch_wakeup.h"

namespace conveyor::log {
class PartitionLog;
}

namespace conveyor::broker {

struct PartitionKey {
  protocol::Uuid topic_id;
  std::int32_t partition = 0;
  bool operator==(const PartitionKey&) const = default;
};

struct PartitionKeyHash {
  std::size_t operator()(const PartitionKey& key) const noexcept {
    return std::hash<protocol::Uuid>{}(key.topic_id) * 31 + static_cast<std::size_t>(key.partition);
  }
};

class Partition {
 public:
  Partition(std::string topic, PartitionKey key, std::shared_ptr<log::PartitionLog> log)
      : topic_(std::move(topic)), key_(key), log_(std::move(log)) {}

  const std::string& topic() const { return topic_; }
  const PartitionKey& key() const { return key_; }
  log::PartitionLog& log() { return *log_; }
  const std::shared_ptr<log::PartitionLog>& log_ptr() const { return log_; }
  // Notified after every append that moves the high watermark.
  DataWaiters& waiters() { return waiters_; }

 private:
  std::string topic_;
  PartitionKey key_;
  std::shared_ptr<log::PartitionLog> log_;
  DataWaiters waiters_;
};

class PartitionTable {
 public:
  Partition* find(const PartitionKey& key) {
    auto it = partitions_.find(key);
    return it == partitions_.end() ? nullptr : it->second.get();
  }
  Partition& add(std::unique_ptr<Partition> partition) {
    auto key = partition->key();
    return *(partitions_[key] = std::move(partition));
  }
  std::unique_ptr<Partition> remove(const PartitionKey& key) {
    auto it = partitions_.find(key);
    if (it == partitions_.end()) return nullptr;
    auto partition = std::move(it->second);
    partitions_.erase(it);
    return partition;
  }
  template <typename Fn>
  void for_each(Fn&& fn) {
    for (auto& [key, partition] : partitions_) fn(*partition);
  }
  std::size_t size() const { return partitions_.size(); }

 private:
  std::unordered_map<PartitionKey, std::unique_ptr<Partition>, PartitionKeyHash> partitions_;
};

}  // namespace conveyor::broker
