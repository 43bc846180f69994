// conveyor_group_bench: consumer group benchmarks on librdkafka's C API
// (issue 5): offset commit throughput from N members, rebalance time of an
// N-member group, and the data set for the coordinator load-time benchmark.
// bench/group/run_group_bench.sh runs them against a fresh broker; figures
// and how to reproduce are in docs/benchmarks.md, "Consumer groups".
//
//   conveyor_group_bench commit      --bootstrap H:P [--consumers 10] [--duration 10] [--window 64]
//   conveyor_group_bench rebalance   --bootstrap H:P [--consumers 10] [--rounds 3] [--heartbeat-ms 100]
//   conveyor_group_bench load-create --bootstrap H:P [--groups 10000] [--commits-per-group 1]
//   conveyor_group_bench load-verify --bootstrap H:P [--groups 10000]
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "group_bench.h"

namespace conveyor::bench {
namespace {

void usage(FILE* out) {
  std::fputs(
      "usage: conveyor_group_bench commit|rebalance|load-create|load-verify [options]\n"
      "  --bootstrap HOST:PORT     (default 127.0.0.1:9092)\n"
      "  --topic NAME              topic the members subscribe to / the offsets are for\n"
      "  --group NAME              group id (commit, rebalance; default unique per run)\n"
      "  --consumers N             members (default 10)\n"
      "  --partitions N            topic partitions (default: one per member)\n"
      "  --duration SECONDS        commit: measured time (default 10)\n"
      "  --warmup SECONDS          commit: unmeasured time first (default 1)\n"
      "  --window N                commit: async commits in flight per member;\n"
      "                            load-*: requests in flight (default 64)\n"
      "  --rounds N                rebalance: cold starts measured (default 3)\n"
      "  --heartbeat-ms MS         heartbeat.interval.ms of the members (default 100)\n"
      "  --groups N                load-*: groups (default 10000)\n"
      "  --commits-per-group N     load-create: commits per group (default 1)\n"
      "  --timeout SECONDS         give up after this long (default 120)\n"
      "  --set KEY=VALUE           another librdkafka property for the members (repeatable)\n"
      "  --json                    one JSON object instead of text\n",
      out);
}

template <typename T>
T number(std::string_view flag, std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) die("bad value for " + std::string(flag));
  return value;
}

GroupBenchOptions parse(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    std::exit(2);
  }
  GroupBenchOptions o;
  o.mode = argv[1];
  if (o.mode == "--help" || o.mode == "-h") {
    usage(stdout);
    std::exit(0);
  }
  for (int i = 2; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (flag == "--json") {
      o.json = true;
      continue;
    }
    if (i + 1 >= argc) die("missing value for " + std::string(flag));
    std::string_view value = argv[++i];
    if (flag == "--bootstrap") o.bootstrap = value;
    else if (flag == "--topic") o.topic = value;
    else if (flag == "--group") o.group = value;
    else if (flag == "--consumers") o.consumers = number<int>(flag, value);
    else if (flag == "--partitions") o.partitions = number<int>(flag, value);
    else if (flag == "--duration") o.duration_s = number<double>(flag, value);
    else if (flag == "--warmup") o.warmup_s = number<double>(flag, value);
    else if (flag == "--window") o.window = number<int>(flag, value);
    else if (flag == "--rounds") o.rounds = number<int>(flag, value);
    else if (flag == "--heartbeat-ms") o.heartbeat_ms = number<int>(flag, value);
    else if (flag == "--groups") o.groups = number<int>(flag, value);
    else if (flag == "--commits-per-group") o.commits_per_group = number<int>(flag, value);
    else if (flag == "--timeout") o.timeout_s = number<double>(flag, value);
    else if (flag == "--set" && value.find('=') != std::string_view::npos) {
      o.client_settings[std::string(value.substr(0, value.find('=')))] = std::string(value.substr(value.find('=') + 1));
    }
    else die("unknown option " + std::string(flag));
  }
  if (o.consumers < 1 || o.window < 1 || o.rounds < 1 || o.groups < 1 || o.commits_per_group < 1) {
    die("counts must be at least 1");
  }
  if (o.partitions == 0) o.partitions = o.consumers;
  return o;
}

}  // namespace
}  // namespace conveyor::bench

int main(int argc, char** argv) {
  using namespace conveyor::bench;
  const GroupBenchOptions o = parse(argc, argv);
  if (o.mode == "commit") return run_commit(o);
  if (o.mode == "rebalance") return run_rebalance(o);
  if (o.mode == "load-create") return run_load_create(o);
  if (o.mode == "load-verify") return run_load_verify(o);
  die("mode must be commit, rebalance, load-create or load-verify");
}
