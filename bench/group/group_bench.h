#pragma once
// Shared pieces of conveyor_group_bench (bench/group): options, librdkafka
// handles and topic creation. Each scenario lives in its own file
// (commit_bench.cc, rebalance_bench.cc, load_bench.cc) and prints its
// figures as "name: value" lines, or one JSON object with --json.

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace conveyor::bench {

using Clock = std::chrono::steady_clock;

struct GroupBenchOptions {
  std::string mode;
  std::string bootstrap = "127.0.0.1:9092";
  std::string topic;         // default per mode
  std::string group;         // default: a name unique to the run
  int consumers = 10;        // commit: committing members; rebalance: group size
  int partitions = 0;        // 0: one per consumer
  double duration_s = 10;    // commit: measured seconds
  double warmup_s = 1;       // commit: seconds before the measurement starts
  int window = 64;           // commit: async commits in flight per consumer; load: requests in flight
  int rounds = 3;            // rebalance: cold starts measured
  int heartbeat_ms = 100;    // rebalance / commit: heartbeat.interval.ms of the members
  int groups = 10000;        // load: groups created / verified
  int commits_per_group = 1; // load-create: commits per group (log records per live key)
  double timeout_s = 120;
  bool json = false;
  std::map<std::string, std::string> client_settings;  // --set: more librdkafka properties for the members
};

// Results in print order: name -> value (numbers already formatted).
using Figures = std::vector<std::pair<std::string, std::string>>;

[[noreturn]] void die(const std::string& message);
void print(const GroupBenchOptions& o, const Figures& figures);
std::string fixed(double value, int decimals = 1);
double seconds_between(Clock::time_point a, Clock::time_point b);

using Handle = std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)>;
// A client of `type` with bootstrap.servers and `settings` (dies on a bad setting).
Handle make_client(rd_kafka_type_t type, const std::string& bootstrap,
                   const std::map<std::string, std::string>& settings, rd_kafka_conf_t* conf = nullptr);
// A consumer in `group` for the commit and rebalance scenarios: manual
// commits, session.timeout.ms 10 s, heartbeat.interval.ms from the options,
// `extra` and then --set settings on top; its events served by consumer_poll.
Handle make_member(const GroupBenchOptions& o, const std::string& group, const std::string& client_id,
                   const std::map<std::string, std::string>& extra = {});
// Subscribes `rk` to `topic` (dies on failure).
void subscribe(rd_kafka_t* rk, const std::string& topic);
// Creates `topic` with `partitions` partitions unless it exists.
void ensure_topic(rd_kafka_t* admin, const std::string& topic, int partitions);

int run_commit(const GroupBenchOptions& o);
int run_rebalance(const GroupBenchOptions& o);
int run_load_create(const GroupBenchOptions& o);
int run_load_verify(const GroupBenchOptions& o);

}  // namespace conveyor::bench
