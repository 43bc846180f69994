// commit: offset commit throughput from N group members.
//
// N consumers (one thread each) subscribe to a topic with N partitions in one
// group and wait until each owns one partition. Then every member commits
// offsets of its partition asynchronously, keeping --window commits in flight
// (rd_kafka_commit_queue on a queue of its own, so each result is an event
// timed the moment librdkafka has it). Each commit is one OffsetCommit
// request for one partition, with the member's generation and id, answered
// by the broker only after its record is fsync'd (group commit shared with
// every other append of the __consumer_offsets partition).
//
// Figures: commits/s over --duration after --warmup (completions counted by
// completion time), failed commits, and commit latency (issue to result).
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "../load/latency_histogram.h"
#include "group_bench.h"

namespace conveyor::bench {
namespace {

enum Phase : int { kJoining, kWarmup, kMeasuring, kDraining };

uint64_t now_ns() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count());
}

struct Member {
  std::atomic<int> assigned{0};  // partitions owned, as rd_kafka_assignment() says
  int partition = -1;
  uint64_t measured_ok = 0;      // written by the member's thread, read after join
  uint64_t measured_failed = 0;
  uint64_t total_failed = 0;
  std::string first_error;
  LatencyHistogram latency;
};

int assignment_of(rd_kafka_t* rk, int* partition) {
  rd_kafka_topic_partition_list_t* list = nullptr;
  if (rd_kafka_assignment(rk, &list) != RD_KAFKA_RESP_ERR_NO_ERROR) return 0;
  const int count = list->cnt;
  if (count > 0) *partition = list->elems[0].partition;
  rd_kafka_topic_partition_list_destroy(list);
  return count;
}

void run_member(const GroupBenchOptions& o, const std::string& group, const std::string& topic, Member& m,
                const std::atomic<int>& phase) {
  Handle rk = make_member(o, group, "commit-bench", {{"auto.offset.reset", "earliest"}});
  subscribe(rk.get(), topic);

  while (phase.load() == kJoining) {
    if (rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk.get(), 20)) rd_kafka_message_destroy(msg);
    m.assigned.store(assignment_of(rk.get(), &m.partition));
  }

  rd_kafka_queue_t* results = rd_kafka_queue_new(rk.get());
  int in_flight = 0;
  int64_t next_offset = 0;
  auto poll_every = Clock::now();
  while (true) {
    const int now_phase = phase.load();
    if (now_phase == kDraining && in_flight == 0) break;
    while (now_phase != kDraining && in_flight < o.window) {
      rd_kafka_topic_partition_list_t* offsets = rd_kafka_topic_partition_list_new(1);
      rd_kafka_topic_partition_list_add(offsets, topic.c_str(), m.partition)->offset = ++next_offset;
      // The issue time travels as the commit's opaque.
      auto* issued = reinterpret_cast<void*>(static_cast<uintptr_t>(now_ns()));
      const auto err = rd_kafka_commit_queue(rk.get(), offsets, results, nullptr, issued);
      rd_kafka_topic_partition_list_destroy(offsets);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) die(std::string("rd_kafka_commit_queue: ") + rd_kafka_err2str(err));
      ++in_flight;
    }
    rd_kafka_event_t* event = rd_kafka_queue_poll(results, 100);
    if (event != nullptr) {
      if (rd_kafka_event_type(event) == RD_KAFKA_EVENT_OFFSET_COMMIT) {
        --in_flight;
        const uint64_t done = now_ns();
        const auto err = rd_kafka_event_error(event);
        const bool measured = phase.load() == kMeasuring;
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
          ++m.total_failed;
          if (measured) ++m.measured_failed;
          if (m.first_error.empty()) m.first_error = rd_kafka_err2name(err);
        } else if (measured) {
          ++m.measured_ok;
          m.latency.record(done - static_cast<uint64_t>(reinterpret_cast<uintptr_t>(rd_kafka_event_opaque(event))));
        }
      }
      rd_kafka_event_destroy(event);
    }
    // Serve the consumer queue now and then (rebalance events, poll interval).
    if (Clock::now() - poll_every > std::chrono::milliseconds(50)) {
      poll_every = Clock::now();
      if (rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk.get(), 0)) rd_kafka_message_destroy(msg);
    }
  }
  rd_kafka_queue_destroy(results);
  rd_kafka_consumer_close(rk.get());
}

}  // namespace

int run_commit(const GroupBenchOptions& o) {
  const std::string topic = o.topic.empty() ? "commit-bench" : o.topic;
  const std::string group =
      o.group.empty() ? "commit-bench-" + std::to_string(Clock::now().time_since_epoch().count()) : o.group;
  {
    Handle admin = make_client(RD_KAFKA_PRODUCER, o.bootstrap, {});
    ensure_topic(admin.get(), topic, o.partitions);
  }
  std::atomic<int> phase{kJoining};
  std::vector<Member> members(static_cast<size_t>(o.consumers));
  std::vector<std::thread> threads;
  const auto started = Clock::now();
  for (auto& m : members) threads.emplace_back(run_member, std::cref(o), group, topic, std::ref(m), std::cref(phase));

  // The group is ready when every partition is owned and every member owns
  // at least one, unchanged for half a second.
  auto ready_since = Clock::time_point::max();
  while (true) {
    int total = 0;
    bool everyone = true;
    for (auto& m : members) {
      const int n = m.assigned.load();
      total += n;
      everyone = everyone && n > 0;
    }
    const auto now = Clock::now();
    if (total == o.partitions && everyone) {
      if (ready_since == Clock::time_point::max()) ready_since = now;
      if (now - ready_since > std::chrono::milliseconds(500)) break;
    } else {
      ready_since = Clock::time_point::max();
    }
    if (seconds_between(started, now) > o.timeout_s) die("the group did not settle");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  phase.store(kWarmup);
  std::this_thread::sleep_for(std::chrono::duration<double>(o.warmup_s));
  const auto t0 = Clock::now();
  phase.store(kMeasuring);
  std::this_thread::sleep_for(std::chrono::duration<double>(o.duration_s));
  phase.store(kDraining);
  const auto t1 = Clock::now();
  for (auto& t : threads) t.join();

  LatencyHistogram latency;
  uint64_t ok = 0, failed = 0, failed_total = 0;
  double slowest = 1e300, fastest = 0;
  std::string first_error;
  const double seconds = seconds_between(t0, t1);
  for (auto& m : members) {
    latency.merge(m.latency);
    ok += m.measured_ok;
    failed += m.measured_failed;
    failed_total += m.total_failed;
    const double rate = static_cast<double>(m.measured_ok) / seconds;
    slowest = std::min(slowest, rate);
    fastest = std::max(fastest, rate);
    if (first_error.empty()) first_error = m.first_error;
  }
  print(o, {{"consumers", std::to_string(o.consumers)},
            {"window", std::to_string(o.window)},
            {"seconds", fixed(seconds, 2)},
            {"commits", std::to_string(ok)},
            {"commits_per_s", fixed(static_cast<double>(ok) / seconds, 0)},
            {"member_commits_per_s_min", fixed(slowest, 0)},
            {"member_commits_per_s_max", fixed(fastest, 0)},
            {"failed", std::to_string(failed)},
            {"failed_including_warmup", std::to_string(failed_total)},
            {"first_error", first_error.empty() ? "none" : first_error},
            {"latency_p50_ms", fixed(static_cast<double>(latency.quantile_ns(0.5)) / 1e6, 2)},
            {"latency_p99_ms", fixed(static_cast<double>(latency.quantile_ns(0.99)) / 1e6, 2)},
            {"latency_max_ms", fixed(static_cast<double>(latency.max_ns()) / 1e6, 2)}});
  return failed == 0 ? 0 : 1;
}

}  // namespace conveyor::bench
