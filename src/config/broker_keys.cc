// The table of broker configuration keys: Apache Kafka's names and defaults,
// except where noted (Conveyor-specific keys say so in their doc).

#include <algorithm>

#include "conveyor/config/broker_config.h"

namespace conveyor::config {

namespace {

using T = ConfigType;
constexpr std::int64_t kMaxLong = INT64_MAX;

const std::vector<ConfigKey>& keys() {
  static const std::vector<ConfigKey> table = {
      // --- identity and network -------------------------------------------
      {"node.id", T::int32, "1", "The id of this node; unique in a cluster.", 0},
      {"broker.id", T::int32, "", "Alias of node.id (Kafka's older name).", 0, INT32_MAX, {}, true},
      {"listeners", T::string, "PLAINTEXT://localhost:9092",
       "Comma-separated listeners, NAME://host:port. An empty host or 0.0.0.0 binds all interfaces."},
      {"advertised.listeners", T::string, "",
       "Listeners given to clients in Metadata; defaults to `listeners`.", 0, 0, {}, true},
      {"num.network.threads", T::int32, "0",
       "Reactor threads (shards), each with its own event loop and partitions. 0 means one per "
       "CPU core. (Kafka's meaning differs: Conveyor has no separate I/O thread pool.)",
       0, 1024},
      {"socket.request.max.bytes", T::int32, "104857600",
       "Largest request accepted; a larger size prefix closes the connection before anything is "
       "allocated.",
       1},
      {"queued.max.request.bytes", T::int64, "268435456",
       "Memory budget for requests read but not yet answered, across all connections; when it is "
       "spent, the broker stops reading from sockets (back-pressure) until responses are sent. "
       "Kafka's default is -1 (unbounded); Conveyor bounds it.",
       -1},
      {"socket.send.buffer.bytes", T::int32, "102400", "SO_SNDBUF for client sockets; -1 for the OS default.", -1},
      {"socket.receive.buffer.bytes", T::int32, "102400", "SO_RCVBUF for client sockets; -1 for the OS default.", -1},
      {"connections.max.idle.ms", T::int64, "600000", "Idle connections are closed after this long.", 1},
      {"max.connections", T::int32, "2147483647", "Maximum open client connections.", 1},
      {"max.connections.per.ip", T::int32, "2147483647", "Maximum open connections from one IP address.", 1},

      // --- storage ----------------------------------------------------------
      {"log.dirs", T::list, "./data", "Directories that hold partition logs."},
      {"log.dir", T::string, "", "A single log directory (used when log.dirs is not set).", 0, 0, {}, true},
      {"log.segment.bytes", T::int32, "1073741824", "Roll a new segment when the active one reaches this size.", 14},
      {"log.roll.hours", T::int32, "168", "Roll a new segment after this long.", 1},
      {"log.roll.ms", T::int64, "", "Roll time in ms; overrides log.roll.hours.", 1, kMaxLong, {}, true},
      {"log.retention.hours", T::int32, "168", "Delete segments older than this.", -1},
      {"log.retention.minutes", T::int32, "", "Overrides log.retention.hours.", -1, INT32_MAX, {}, true},
      {"log.retention.ms", T::int64, "", "Overrides log.retention.minutes; -1 keeps forever.", -1, kMaxLong, {}, true},
      {"log.retention.bytes", T::int64, "-1", "Delete old segments beyond this size per partition; -1 for no limit.", -1},
      {"log.retention.check.interval.ms", T::int64, "300000", "How often retention runs.", 1},
      {"log.index.interval.bytes", T::int32, "4096", "Bytes of log between offset index entries.", 0},
      {"log.index.size.max.bytes", T::int32, "10485760", "Offset index file size (preallocated).", 4},
      {"log.cleanup.policy", T::list, "delete", "delete, compact, or both.", 0, 0, {"delete", "compact"}},
      {"log.cleaner.enable", T::boolean, "true", "Run log compaction for compacted topics."},
      {"log.cleaner.delete.retention.ms", T::int64, "86400000", "How long tombstones survive compaction.", 0},
      {"log.cleaner.min.cleanable.ratio", T::float64, "0.5", "Dirty ratio that triggers compaction.", 0, 1},
      {"log.cleaner.min.compaction.lag.ms", T::int64, "0", "Records younger than this are not compacted.", 0},
      {"log.cleaner.max.compaction.lag.ms", T::int64, "9223372036854775807", "Records older than this are compacted even below the dirty ratio.", 1},
      {"log.cleaner.backoff.ms", T::int64, "15000", "Sleep between compaction passes with nothing to do.", 0},
      {"log.cleaner.dedupe.buffer.size", T::int64, "134217728",
       "Memory for compaction's key maps, shared by the cleaner threads; a pass that fills its share cleans the rest later.",
       1 << 20},
      {"log.cleaner.threads", T::int32, "1",
       "Threads that read and rewrite segments for compaction (the shards only plan passes and swap results in).", 1},
      {"log.flush.interval.messages", T::int64, "9223372036854775807", "fsync after this many messages per partition.", 1},
      {"log.flush.interval.ms", T::int64, "", "fsync a partition at most this long after a write; unset means log.flush.scheduler.interval.ms.", 0, kMaxLong, {}, true},
      {"log.flush.scheduler.interval.ms", T::int64, "9223372036854775807", "How often the periodic flusher checks partitions.", 0},
      {"log.flush.offset.checkpoint.interval.ms", T::int32, "60000", "How often the recovery point checkpoint is written.", 0},
      {"log.message.timestamp.type", T::enumeration, "CreateTime", "Timestamp stored in batches.", 0, 0, {"CreateTime", "LogAppendTime"}},
      {"log.preallocate", T::boolean, "true",
       "Write zeros 4-8 MiB ahead of the active segment's data of partitions that fsync (acks=all, flush.*), so "
       "that a group commit overwrites blocks already on disk: one data write per partition and one shared "
       "cache flush instead of a journal commit per file (ext4 and XFS only; elsewhere ignored). Conveyor's "
       "default differs from Kafka's (false); segments are trimmed to their data when they roll or the "
       "broker stops."},
      {"log.segment.delete.delay.ms", T::int64, "60000", "Delay before a deleted segment's file is removed.", 0},
      {"log.segments.open.max", T::int32, "4",
       "Conveyor-specific. Closed segments per partition whose files (log and two indexes) stay open, the most "
       "recently read ones; older segments are reopened when read. Bounds open descriptors at about 3 x "
       "(this + 1) per partition.",
       1},
      {"num.recovery.threads.per.data.dir", T::int32, "2", "Threads that open and recover logs at start.", 1},
      {"acks.all.fsync", T::boolean, "true",
       "Conveyor-specific. true: an acks=all produce is acknowledged only after its bytes are "
       "fsync'd (group commit). false: Kafka's behaviour, acknowledged once in the page cache of "
       "the in-sync replicas."},

      // --- topics -------------------------------------------------------------
      {"num.partitions", T::int32, "1", "Partitions of auto-created topics.", 1},
      {"default.replication.factor", T::int32, "1", "Replication factor of auto-created topics.", 1, 32767},
      {"auto.create.topics.enable", T::boolean, "true", "Create unknown topics on Metadata and Produce."},
      {"delete.topic.enable", T::boolean, "true", "Allow DeleteTopics."},
      {"message.max.bytes", T::int32, "1048588", "Largest record batch accepted (topic: max.message.bytes).", 0},
      {"compression.type", T::enumeration, "producer", "Final compression of stored batches; only `producer` (keep as sent) is supported.", 0, 0, {"producer"}},
      {"min.insync.replicas", T::int32, "1", "acks=all needs this many in-sync replicas.", 1},
      {"unclean.leader.election.enable", T::boolean, "false", "Allow out-of-sync replicas to become leader."},

      // --- consumer groups --------------------------------------------------------
      {"group.initial.rebalance.delay.ms", T::int32, "3000",
       "How long the coordinator waits for more members to join a new (empty) group before the "
       "first rebalance completes.",
       0},
      {"group.min.session.timeout.ms", T::int32, "6000", "Smallest session.timeout.ms a consumer may ask for.", 0},
      {"group.max.session.timeout.ms", T::int32, "1800000", "Largest session.timeout.ms a consumer may ask for.", 0},
      {"group.max.size", T::int32, "2147483647", "Most members one consumer group may have.", 1},
      {"offsets.topic.num.partitions", T::int32, "50",
       "Partitions of the internal __consumer_offsets topic (fixed once the topic exists).", 1},
      {"offsets.retention.minutes", T::int32, "10080",
       "Committed offsets of a group that has been empty this long are deleted.", 1},
      {"offsets.retention.check.interval.ms", T::int64, "600000", "How often expired offsets are looked for.", 1},
      {"offset.metadata.max.bytes", T::int32, "4096", "Largest metadata string of an offset commit.", 0},

      // --- idempotent producers -----------------------------------------------------
      {"producer.id.expiration.ms", T::int32, "86400000",
       "A partition forgets an idempotent producer this long after its last write.", 1},
      {"producer.id.expiration.check.interval.ms", T::int32, "600000",
       "How often partitions look for expired producers.", 1},

      // --- transactions ---------------------------------------------------------------
      {"transaction.state.log.num.partitions", T::int32, "50",
       "Partitions of the internal __transaction_state topic (fixed once the topic exists).", 1},
      {"transaction.state.log.segment.bytes", T::int32, "104857600",
       "Segment size of __transaction_state (kept small so compaction runs often).", 1},
      {"transaction.max.timeout.ms", T::int32, "900000",
       "Largest transaction.timeout.ms a producer may ask for (INVALID_TRANSACTION_TIMEOUT above it).", 1},
      {"transactional.id.expiration.ms", T::int32, "604800000",
       "A transactional id with no transaction for this long is forgotten (a tombstone in __transaction_state).", 1},
      {"transaction.abort.timed.out.transaction.cleanup.interval.ms", T::int32, "10000",
       "How often transactions open longer than their timeout are aborted (and their producer fenced).", 1},
      {"transaction.remove.expired.transaction.cleanup.interval.ms", T::int32, "3600000",
       "How often expired transactional ids are looked for.", 1},

      // --- operations -----------------------------------------------------------
      {"log.level", T::enumeration, "info", "Conveyor-specific: spdlog level.", 0, 0,
       {"trace", "debug", "info", "warn", "error", "critical", "off"}},
      {"controlled.shutdown.timeout.ms", T::int64, "30000",
       "Conveyor-specific: on SIGTERM, how long to wait for in-flight requests before closing.", 0},
  };
  return table;
}

}  // namespace

std::span<const ConfigKey> broker_config_keys() { return keys(); }

const ConfigKey* find_broker_key(std::string_view name) {
  const auto& table = keys();
  auto it = std::find_if(table.begin(), table.end(), [&](const ConfigKey& k) { return k.name == name; });
  return it == table.end() ? nullptr : &*it;
}

}  // namespace conveyor::config
