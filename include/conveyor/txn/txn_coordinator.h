#pragma once
// TxnCoordinator: Kafka's transaction coordinator for the transactional ids
// whose __transaction_state partition this shard owns. One per shard; every
// method runs on that shard's thread (handlers hop here with run_on), so
// nothing is locked. The rules are the pure functions of
// txn_state_machine.h; this class sequences them with I/O:
//
//   - every state change is appended to the id's __transaction_state
//     partition and made durable before it replaces the in-memory state or
//     is answered (TxnBackend::append);
//   - EndTxn: Prepare{Commit,Abort} durable -> a marker written (and fsync'd)
//     to every partition of the transaction -> Complete{Commit,Abort}
//     appended -> the answer. Complete is not waited on: if a crash loses
//     it, the replay finds Prepare* and writes the (idempotent) markers
//     again, and any later state of the id is appended after it to the same
//     partition, so that state's fsync makes it durable too. Markers that fail are retried with backoff until
//     they succeed (a deleted topic's partitions are dropped), as Kafka's
//     marker channel does;
//   - InitProducerId of an id whose transaction is Ongoing first aborts it
//     with the epoch bumped (fencing the old instance on every partition),
//     then bumps again for the new instance — Kafka reaches the same state
//     through a CONCURRENT_TRANSACTIONS retry;
//   - while a change of an id is in flight (`pending`), other requests for it
//     get CONCURRENT_TRANSACTIONS.
//
// Time: every transaction.abort.timed.out.transaction.cleanup.interval.ms,
// Ongoing transactions past their timeout are fenced and aborted, and
// Prepare* transactions whose completion stopped (a failed append) are
// resumed; every transaction.remove.expired.transaction.cleanup.interval.ms,
// ids idle for transactional.id.expiration.ms get a tombstone and go.
//
// Recovery: load() replays a partition's records (latest per id wins) and
// completes the Prepare* transactions it finds (markers, then Complete*).
// Ongoing ones stay open until their producer ends them or they time out.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "conveyor/broker/internal_records.h"
#include "conveyor/log/partition_log.h"
#include "conveyor/protocol/error_code.h"
#include "conveyor/txn/txn_metadata.h"
#include "conveyor/txn/txn_state_machine.h"

namespace conveyor::txn {

struct TxnCoordinatorConfig {
  std::int32_t max_timeout_ms = 900000;       // transaction.max.timeout.ms
  std::int64_t id_expiration_ms = 604800000;  // transactional.id.expiration.ms
  std::chrono::milliseconds abort_interval{
      10000};  // ...abort.timed.out.transaction.cleanup.interval.ms
  std::chrono::milliseconds expiration_interval{
      3600000};  // ...remove.expired.transaction.cleanup.interval.ms
  std::chrono::milliseconds marker_retry_backoff{100};  // doubled per failure, up to 5 s
};

// What the coordinator needs from the broker: TxnService implements it over
// the partition logs; unit tests fake it.
class TxnBackend {
 public:
  virtual ~TxnBackend() = default;
  // Appends `records` as one batch to __transaction_state-`partition` (owned
  // by the calling shard) and, with `durable`, waits until it is durable.
  // none, or the error for the client (NOT_COORDINATOR,
  // COORDINATOR_NOT_AVAILABLE, ...).
  virtual boost::asio::awaitable<protocol::ErrorCode> append(
      std::int32_t partition, std::vector<broker::InternalRecord> records, bool durable = true) = 0;
  // Writes `marker` to every target (on whichever shard owns it) and waits
  // until durable: one error per target (broker/txn_markers.h).
  virtual boost::asio::awaitable<std::vector<protocol::ErrorCode>> write_markers(
      std::vector<TopicPartition> targets, log::TxnMarker marker) = 0;
  // A producer id never handed out before; nullopt when none can be had.
  virtual boost::asio::awaitable<std::optional<std::int64_t>> allocate_producer_id() = 0;
};

struct InitResult {
  protocol::ErrorCode error = protocol::ErrorCode::none;
  std::int64_t producer_id = kNoProducerId;
  std::int16_t producer_epoch = kNoProducerEpoch;
};

struct TxnDescription {
  protocol::ErrorCode error = protocol::ErrorCode::none;
  TxnMetadata metadata;
};

struct TxnListing {
  std::string transactional_id;
  std::int64_t producer_id = kNoProducerId;
  TxnState state = TxnState::empty;
};

struct ListFilter {
  std::set<TxnState> states;            // empty: all
  std::set<std::int64_t> producer_ids;  // empty: all
  std::int64_t min_duration_ms =
      -1;  // only transactions open longer than this (ListTransactions v1)
};

struct ListResult {
  protocol::ErrorCode error = protocol::ErrorCode::none;
  std::vector<TxnListing> transactions;
};

class TxnCoordinator {
 public:
  TxnCoordinator(TxnCoordinatorConfig config, boost::asio::any_io_executor executor,
                 TxnBackend& backend);
  ~TxnCoordinator();
  TxnCoordinator(const TxnCoordinator&) = delete;
  TxnCoordinator& operator=(const TxnCoordinator&) = delete;

  // Starts the timers on the executor (call once, on the shard); stop() ends them.
  void start();
  void stop();

  // Partition ownership, as GroupCoordinator: begin_loading marks a
  // partition here but unread (COORDINATOR_LOAD_IN_PROGRESS), load()
  // replays its records in log order, unload() forgets it (NOT_COORDINATOR).
  // `partition_count` is the topic's; `coordinator_epoch` goes into markers.
  void begin_loading(std::int32_t partition, std::int32_t partition_count,
                     std::int32_t coordinator_epoch);
  void load(std::int32_t partition, const std::vector<broker::InternalRecord>& records);
  void unload(std::int32_t partition);
  bool owns(std::int32_t partition) const { return partitions_.contains(partition); }

  boost::asio::awaitable<InitResult> init_producer_id(std::string transactional_id,
                                                      std::int32_t timeout_ms,
                                                      std::optional<ProducerIdAndEpoch> expected);
  boost::asio::awaitable<protocol::ErrorCode> add_partitions(std::string transactional_id,
                                                             std::int64_t producer_id,
                                                             std::int16_t epoch,
                                                             std::set<TopicPartition> partitions);
  VerifyResult verify_partitions(const std::string& transactional_id, std::int64_t producer_id,
                                 std::int16_t epoch,
                                 const std::set<TopicPartition>& partitions) const;
  boost::asio::awaitable<protocol::ErrorCode> end_txn(std::string transactional_id,
                                                      std::int64_t producer_id, std::int16_t epoch,
                                                      bool commit);
  TxnDescription describe(const std::string& transactional_id) const;
  ListResult list(const ListFilter& filter, std::int64_t now_ms) const;

  // The timers' work as of `now_ms` (the timer loop calls them; tests call
  // them directly). abort_timed_out starts the aborts and resumptions in the
  // background; expire_ids returns when the tombstones are durable.
  void abort_timed_out(std::int64_t now_ms);
  boost::asio::awaitable<void> expire_ids(std::int64_t now_ms);

  // The id's current (durable) metadata, if known here.
  const TxnMetadata* find(const std::string& transactional_id) const;
  bool is_pending(const std::string& transactional_id) const;
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    TxnMetadata metadata;
    std::int32_t partition = 0;
    bool pending = false;  // a change is being written or its markers sent
    bool removed = false;  // its partition was unloaded (or it expired)
  };
  struct OwnedPartition {
    bool loaded = false;
    std::int32_t coordinator_epoch = 0;
  };

  protocol::ErrorCode check_partition(const std::string& transactional_id) const;
  std::shared_ptr<Entry> entry(const std::string& transactional_id) const;
  // Appends `next` and, once durable (or only appended, when not
  // `durable`), makes it the entry's metadata.
  boost::asio::awaitable<protocol::ErrorCode> persist(std::shared_ptr<Entry> entry, TxnMetadata next,
                                                      bool durable = true);
  // Prepare* -> markers -> Complete*.
  boost::asio::awaitable<protocol::ErrorCode> finish(std::shared_ptr<Entry> entry);
  // Ongoing -> PrepareAbort with the epoch bumped -> finish.
  boost::asio::awaitable<protocol::ErrorCode> fence_and_abort(std::shared_ptr<Entry> entry);
  // Runs fence_and_abort (abort) or finish in the background, then clears `pending`.
  void spawn_completion(std::shared_ptr<Entry> entry, bool abort);
  boost::asio::awaitable<void> run_completion(std::shared_ptr<Entry> entry, bool abort);
  boost::asio::awaitable<void> timer_loop();

  TxnCoordinatorConfig config_;
  boost::asio::any_io_executor executor_;
  TxnBackend& backend_;
  std::int32_t partition_count_ = 0;
  std::map<std::int32_t, OwnedPartition> partitions_;
  std::unordered_map<std::string, std::shared_ptr<Entry>> entries_;
  std::shared_ptr<bool> running_;
  std::unique_ptr<boost::asio::steady_timer> timer_;
  std::chrono::steady_clock::time_point next_expiry_;
};

}  // namespace conveyor::txn
