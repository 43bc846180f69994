// rebalance: how long an N-member group takes to hand out its assignment.
//
// Each round runs three rebalances of consumers (one thread each, handles
// created before any clock starts) on a topic with one partition per member,
// and times each from a client action to the last member holding its final
// assignment (every member owns a partition, none twice, all covered):
//
//   cold   N members subscribe at once; from the last subscribe.
//   leave  one member leaves (rd_kafka_consumer_close, LeaveGroup); from the
//          close call until the N-1 others own every partition.
//   join   after more than a second, a new member subscribes to the group of
//          N-1; from its subscribe until the N members are assigned.
//
// What the figures contain besides the broker: members learn that a
// rebalance started from their next heartbeat (classic protocol), so leave
// and join grow with --heartbeat-ms; and librdkafka sends JoinGroup at most
// once a second per member (rkcg_join_intvl), so a cold start in which the
// first generation forms before every member has joined (it does with
// group.initial.rebalance.delay.ms=0) costs about one second on the client
// side. Run the broker with group.initial.rebalance.delay.ms=0 (its default
// of 3 s delays the first join on purpose).
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "group_bench.h"

namespace conveyor::bench {
namespace {

struct Member {
  std::atomic<uint64_t> mask{0};           // owned partitions, bit per partition
  std::atomic<int64_t> changed_ns{0};      // when mask last changed (steady clock)
  std::atomic<int64_t> subscribed_ns{0};
  std::atomic<bool> go{false};             // subscribe now
  std::atomic<bool> leave{false};
  std::atomic<bool> left{false};
};

int64_t now_ns() { return Clock::now().time_since_epoch().count(); }

uint64_t owned(rd_kafka_t* rk) {
  rd_kafka_topic_partition_list_t* list = nullptr;
  if (rd_kafka_assignment(rk, &list) != RD_KAFKA_RESP_ERR_NO_ERROR) return 0;
  uint64_t mask = 0;
  for (int i = 0; i < list->cnt; ++i) mask |= uint64_t{1} << list->elems[i].partition;
  rd_kafka_topic_partition_list_destroy(list);
  return mask;
}

void run_member(const GroupBenchOptions& o, const std::string& group, const std::string& topic, Member& m,
                const std::atomic<bool>& stop) {
  Handle rk = make_member(o, group, "rebalance-bench");
  while (!m.go.load()) {
    if (stop.load()) return;
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  m.subscribed_ns.store(now_ns());
  subscribe(rk.get(), topic);
  while (!stop.load() && !m.leave.load()) {
    if (rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk.get(), 5)) rd_kafka_message_destroy(msg);
    const uint64_t mask = owned(rk.get());
    if (mask != m.mask.load()) {
      m.changed_ns.store(now_ns());
      m.mask.store(mask);
    }
  }
  rd_kafka_consumer_close(rk.get());
  m.mask.store(0);
  m.left.store(true);
}

// Whether the members not left own every partition, each some, none twice;
// sets *done_ns to the last assignment change among them.
bool settled(std::vector<Member>& members, int partitions, int64_t* done_ns) {
  uint64_t all = 0;
  int64_t last = 0;
  for (auto& m : members) {
    if (!m.go.load() || m.left.load() || m.leave.load()) continue;
    const uint64_t mask = m.mask.load();
    if (mask == 0 || (all & mask) != 0) return false;
    all |= mask;
    last = std::max(last, m.changed_ns.load());
  }
  const uint64_t want = partitions == 64 ? ~uint64_t{0} : (uint64_t{1} << partitions) - 1;
  *done_ns = last;
  return all == want;
}

bool wait_settled(std::vector<Member>& members, int partitions, double timeout_s, int64_t* done_ns) {
  const auto deadline = Clock::now() + std::chrono::duration<double>(timeout_s);
  while (Clock::now() < deadline) {
    if (settled(members, partitions, done_ns)) return true;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return false;
}

}  // namespace

int run_rebalance(const GroupBenchOptions& o) {
  if (o.partitions > 64) die("rebalance: at most 64 partitions");
  if (o.consumers < 2) die("rebalance: at least 2 consumers");
  const std::string topic = o.topic.empty() ? "rebalance-bench" : o.topic;
  const std::string base =
      o.group.empty() ? "rebalance-bench-" + std::to_string(Clock::now().time_since_epoch().count()) : o.group;
  {
    Handle admin = make_client(RD_KAFKA_PRODUCER, o.bootstrap, {});
    ensure_topic(admin.get(), topic, o.partitions);
  }
  std::vector<double> cold, after_leave, after_join;
  for (int round = 0; round < o.rounds; ++round) {
    // N members plus the one that joins later.
    std::vector<Member> members(static_cast<size_t>(o.consumers) + 1);
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    const std::string group = base + "-" + std::to_string(round);
    for (auto& m : members) threads.emplace_back(run_member, std::cref(o), group, topic, std::ref(m), std::cref(stop));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // handles created

    for (int i = 0; i < o.consumers; ++i) members[static_cast<size_t>(i)].go.store(true);
    int64_t done_ns = 0;
    if (!wait_settled(members, o.partitions, o.timeout_s, &done_ns)) die("the group did not settle");
    int64_t last_subscribe = 0;
    for (auto& m : members) last_subscribe = std::max(last_subscribe, m.subscribed_ns.load());
    cold.push_back(static_cast<double>(done_ns - last_subscribe) / 1e6);

    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const int64_t leave_ns = now_ns();
    members.front().leave.store(true);
    if (!wait_settled(members, o.partitions, o.timeout_s, &done_ns)) die("the group did not settle after a leave");
    after_leave.push_back(static_cast<double>(done_ns - leave_ns) / 1e6);

    // Past librdkafka's one-JoinGroup-a-second limit for the members that just rejoined.
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    Member& newcomer = members.back();
    newcomer.go.store(true);
    if (!wait_settled(members, o.partitions, o.timeout_s, &done_ns)) die("the group did not settle after a join");
    after_join.push_back(static_cast<double>(done_ns - newcomer.subscribed_ns.load()) / 1e6);

    stop.store(true);
    for (auto& t : threads) t.join();
  }
  auto summary = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    std::string text = "min " + fixed(v.front(), 0) + " median " + fixed(v[v.size() / 2], 0) + " max " +
                       fixed(v.back(), 0) + " (";
    for (size_t i = 0; i < v.size(); ++i) text += (i ? " " : "") + fixed(v[i], 0);
    return text + ")";
  };
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  auto max = [](const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); };
  if (o.json) {
    print(o, {{"consumers", std::to_string(o.consumers)},
              {"heartbeat_ms", std::to_string(o.heartbeat_ms)},
              {"rounds", std::to_string(o.rounds)},
              {"cold_ms_median", fixed(median(cold), 1)},
              {"cold_ms_max", fixed(max(cold), 1)},
              {"leave_ms_median", fixed(median(after_leave), 1)},
              {"leave_ms_max", fixed(max(after_leave), 1)},
              {"join_ms_median", fixed(median(after_join), 1)},
              {"join_ms_max", fixed(max(after_join), 1)}});
  } else {
    print(o, {{"consumers", std::to_string(o.consumers)},
              {"heartbeat.interval.ms", std::to_string(o.heartbeat_ms)},
              {"cold: all assigned after the last subscribe (ms)", summary(cold)},
              {"leave: reassigned after one member left (ms)", summary(after_leave)},
              {"join: all assigned after a new member subscribed (ms)", summary(after_join)}});
  }
  return 0;
}

}  // namespace conveyor::bench
