#pragma once
// Fetch sessions (KIP-227). A consumer fetching many partitions opens a
// session with a full request (session id 0, epoch 0); the broker remembers
// the partitions and their fetch offsets, and later requests (same id, the
// next epoch) name only what changed — a partition's new fetch offset, one
// to add, one to forget — while responses carry only partitions with news:
// records, an error, or a moved high watermark / log start offset.
//
// Sessions live in a per-shard cache (a connection stays on its shard);
// the shard is part of the session id, so a request that reconnected to
// another shard gets FETCH_SESSION_ID_NOT_FOUND and the client simply starts
// a new session with a full fetch, as after any broker-side eviction.
// The cache holds max.incremental.fetch.session.cache.slots sessions
// (Kafka's default 1000) per shard and evicts the least recently used.

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "conveyor/protocol/uuid.h"

namespace conveyor::api {

// One partition a fetch reads.
struct FetchTarget {
  std::string topic;           // by name (v4-v12)
  protocol::Uuid topic_id;     // by id (v13+)
  std::int32_t partition = 0;
  std::int64_t fetch_offset = 0;
  std::int32_t partition_max_bytes = 0;
  std::int32_t current_leader_epoch = -1;

  bool same_partition(const FetchTarget& other) const {
    return partition == other.partition && topic == other.topic && topic_id == other.topic_id;
  }
};

// What the last response of a session told the client about a partition.
struct SentState {
  std::int64_t high_watermark = -2;
  std::int64_t log_start_offset = -2;
  std::int64_t last_stable_offset = -2;
};

class FetchSession {
 public:
  FetchSession(std::int32_t id, std::vector<FetchTarget> targets);

  std::int32_t id() const { return id_; }
  std::int32_t next_epoch() const { return next_epoch_; }
  void advance_epoch();

  // An incremental request: adds or updates `changed`, then drops `forgotten`.
  void update(const std::vector<FetchTarget>& changed, const std::vector<FetchTarget>& forgotten);

  const std::vector<FetchTarget>& targets() const { return targets_; }
  std::vector<SentState>& sent() { return sent_; }

 private:
  std::int32_t id_;
  std::int32_t next_epoch_ = 1;
  std::vector<FetchTarget> targets_;  // the order responses use
  std::vector<SentState> sent_;       // parallel to targets_
};

class FetchSessionCache {
 public:
  static constexpr std::size_t kDefaultSlots = 1000;

  // The calling shard's cache.
  static FetchSessionCache& local();

  std::shared_ptr<FetchSession> find(std::int32_t id);
  // A new session holding `targets`; evicts the least recently used when full.
  std::shared_ptr<FetchSession> create(std::vector<FetchTarget> targets);
  void remove(std::int32_t id);
  std::size_t size() const { return sessions_.size(); }

 private:
  std::int32_t next_id();

  std::size_t slots_ = kDefaultSlots;
  std::uint32_t sequence_ = 0;
  std::list<std::int32_t> recency_;  // most recent first
  struct Entry {
    std::shared_ptr<FetchSession> session;
    std::list<std::int32_t>::iterator position;
  };
  std::unordered_map<std::int32_t, Entry> sessions_;
};

}  // namespace conveyor::api
