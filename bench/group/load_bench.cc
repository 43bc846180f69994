// load-create / load-verify: the data set and the check for the coordinator
// load-time benchmark (bench/group/run_group_bench.sh restarts the broker in
// between and reads the coordinator's own "partitions loaded ... in N ms"
// log line).
//
// load-create commits offsets for --groups groups "load-bench-NNNNN" with
// AlterConsumerGroupOffsets (an OffsetCommit outside any generation, the
// cheapest way to make a group), --commits-per-group times each, keeping
// --window requests in flight. Group i's last commit is offset
// i * 1000 + commits-per-group on partition i % partitions of the topic.
//
// load-verify reads every group's offsets back with ListConsumerGroupOffsets
// (OffsetFetch), repeating a group while its partition answers
// COORDINATOR_LOAD_IN_PROGRESS, and reports the time from its own start to
// the last correct answer: started right after the broker, that is the time
// until every group can be served again.
#include <algorithm>
#include <cstdio>
#include <deque>
#include <string>
#include <thread>

#include "group_bench.h"

namespace conveyor::bench {
namespace {

std::string group_name(int i) {
  char name[32];
  std::snprintf(name, sizeof name, "load-bench-%05d", i);
  return name;
}

int64_t expected_offset(int i, int commit) {
  return static_cast<int64_t>(i) * 1000 + commit;
}

using Options = std::unique_ptr<rd_kafka_AdminOptions_t, decltype(&rd_kafka_AdminOptions_destroy)>;

Options admin_options(rd_kafka_t* rk, rd_kafka_admin_op_t op) {
  Options options(rd_kafka_AdminOptions_new(rk, op), &rd_kafka_AdminOptions_destroy);
  char error[256];
  rd_kafka_AdminOptions_set_request_timeout(options.get(), 60000, error, sizeof error);
  return options;
}

// The first group result of an admin event: its group error, else its first partition's.
rd_kafka_resp_err_t group_error(const rd_kafka_group_result_t* result, int64_t* offset) {
  if (const rd_kafka_error_t* error = rd_kafka_group_result_error(result)) return rd_kafka_error_code(error);
  const rd_kafka_topic_partition_list_t* partitions = rd_kafka_group_result_partitions(result);
  if (partitions == nullptr || partitions->cnt == 0) return RD_KAFKA_RESP_ERR__NOENT;
  *offset = partitions->elems[0].offset;
  return partitions->elems[0].err;
}

std::string topic_of(const GroupBenchOptions& o) { return o.topic.empty() ? "load-bench" : o.topic; }

Handle admin_client(const GroupBenchOptions& o) {
  // Reconnect quickly: load-verify starts while the broker is still starting.
  return make_client(RD_KAFKA_PRODUCER, o.bootstrap,
                     {{"reconnect.backoff.ms", "10"}, {"reconnect.backoff.max.ms", "50"}});
}

}  // namespace

int run_load_create(const GroupBenchOptions& o) {
  Handle rk = admin_client(o);
  const std::string topic = topic_of(o);
  ensure_topic(rk.get(), topic, o.partitions);
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk.get());
  auto options = admin_options(rk.get(), RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS);
  const auto started = Clock::now();
  const int64_t total = static_cast<int64_t>(o.groups) * o.commits_per_group;
  int64_t issued = 0, done = 0, failed = 0;
  std::string first_error;
  while (done < total) {
    while (issued < total && issued - done < o.window) {
      // Commit round by round, so a group's commits are spread over the log.
      const int i = static_cast<int>(issued % o.groups);
      const int commit = static_cast<int>(issued / o.groups) + 1;
      rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
      rd_kafka_topic_partition_list_add(list, topic.c_str(), i % o.partitions)->offset = expected_offset(i, commit);
      rd_kafka_AlterConsumerGroupOffsets_t* request = rd_kafka_AlterConsumerGroupOffsets_new(group_name(i).c_str(), list);
      rd_kafka_AlterConsumerGroupOffsets(rk.get(), &request, 1, options.get(), queue);
      rd_kafka_AlterConsumerGroupOffsets_destroy(request);
      rd_kafka_topic_partition_list_destroy(list);
      ++issued;
    }
    rd_kafka_event_t* event = rd_kafka_queue_poll(queue, 1000);
    if (event == nullptr) {
      if (seconds_between(started, Clock::now()) > o.timeout_s) die("load-create: timed out");
      continue;
    }
    ++done;
    size_t n = 0;
    const rd_kafka_group_result_t** groups =
        rd_kafka_AlterConsumerGroupOffsets_result_groups(rd_kafka_event_AlterConsumerGroupOffsets_result(event), &n);
    int64_t offset = 0;
    const auto err = rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR ? rd_kafka_event_error(event)
                     : n == 1                                                  ? group_error(groups[0], &offset)
                                                                               : RD_KAFKA_RESP_ERR__FAIL;
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      ++failed;
      if (first_error.empty()) first_error = rd_kafka_err2name(err);
    }
    rd_kafka_event_destroy(event);
  }
  const double seconds = seconds_between(started, Clock::now());
  rd_kafka_queue_destroy(queue);
  print(o, {{"groups", std::to_string(o.groups)},
            {"commits", std::to_string(total)},
            {"seconds", fixed(seconds, 2)},
            {"commits_per_s", fixed(static_cast<double>(total) / seconds, 0)},
            {"failed", std::to_string(failed)},
            {"first_error", first_error.empty() ? "none" : first_error}});
  return failed == 0 ? 0 : 1;
}

int run_load_verify(const GroupBenchOptions& o) {
  const auto started = Clock::now();
  Handle rk = admin_client(o);
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk.get());
  auto options = admin_options(rk.get(), RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS);
  std::deque<int> todo;
  for (int i = 0; i < o.groups; ++i) todo.push_back(i);
  int in_flight = 0, verified = 0, wrong = 0, retried = 0;
  auto first_answer = Clock::time_point::max();
  std::string first_error;
  while (verified + wrong < o.groups) {
    while (!todo.empty() && in_flight < o.window) {
      const int i = todo.front();
      todo.pop_front();
      rd_kafka_ListConsumerGroupOffsets_t* request =
          rd_kafka_ListConsumerGroupOffsets_new(group_name(i).c_str(), nullptr);
      // The group's index rides along as the request's opaque.
      rd_kafka_AdminOptions_set_opaque(options.get(), reinterpret_cast<void*>(static_cast<intptr_t>(i)));
      rd_kafka_ListConsumerGroupOffsets(rk.get(), &request, 1, options.get(), queue);
      rd_kafka_ListConsumerGroupOffsets_destroy(request);
      ++in_flight;
    }
    rd_kafka_event_t* event = rd_kafka_queue_poll(queue, 1000);
    if (event == nullptr) {
      if (seconds_between(started, Clock::now()) > o.timeout_s) die("load-verify: timed out");
      continue;
    }
    --in_flight;
    const int i = static_cast<int>(reinterpret_cast<intptr_t>(rd_kafka_event_opaque(event)));
    size_t n = 0;
    const rd_kafka_group_result_t** groups =
        rd_kafka_ListConsumerGroupOffsets_result_groups(rd_kafka_event_ListConsumerGroupOffsets_result(event), &n);
    int64_t offset = -1;
    const auto err = rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR ? rd_kafka_event_error(event)
                     : n == 1                                                  ? group_error(groups[0], &offset)
                                                                               : RD_KAFKA_RESP_ERR__FAIL;
    rd_kafka_event_destroy(event);
    const bool retriable = err == RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS ||
                           err == RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE || err == RD_KAFKA_RESP_ERR__TRANSPORT ||
                           err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR_NOT_COORDINATOR;
    if (retriable) {
      ++retried;
      todo.push_back(i);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    if (first_answer == Clock::time_point::max()) first_answer = Clock::now();
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR && offset == expected_offset(i, o.commits_per_group)) {
      ++verified;
    } else {
      ++wrong;
      if (first_error.empty()) {
        first_error = std::string(rd_kafka_err2name(err)) + " offset " + std::to_string(offset) + " for " + group_name(i);
      }
    }
  }
  const auto finished = Clock::now();
  rd_kafka_queue_destroy(queue);
  print(o, {{"groups", std::to_string(o.groups)},
            {"verified", std::to_string(verified)},
            {"wrong", std::to_string(wrong)},
            {"retried", std::to_string(retried)},
            {"first_error", first_error.empty() ? "none" : first_error},
            {"first_answer_ms", fixed(seconds_between(started, first_answer) * 1000, 0)},
            {"all_verified_ms", fixed(seconds_between(started, finished) * 1000, 0)}});
  return wrong == 0 ? 0 : 1;
}

}  // namespace conveyor::bench
