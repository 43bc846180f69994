// conveyor_load: an end-to-end load generator on librdkafka's C API.
//
//   conveyor_load produce --bootstrap HOST:PORT --topic T [options]
//   conveyor_load consume --bootstrap HOST:PORT --topic T [options]
//
// produce: one producer (or --producers N, each on its own thread) sends
// fixed-size values (no key) to the partitions of the topic in turn, for --count messages or --duration seconds, optionally
// paced at --rate messages/s. Latency is measured per message, from the
// rd_kafka_produce() call that queued it to its delivery report, into a
// LatencyHistogram. Delivery reports are served by a second thread blocked
// in rd_kafka_poll(), so a report is timed as soon as librdkafka has it.
// Throughput is delivered messages over the time from the first produce to
// the last delivery report.
//
// consume: assigns every partition from the beginning (manual assignment, no
// group membership, no commits: Conveyor has no group coordinator yet) and
// reads --count messages, or up to the end of every partition.
//
// MB is 10^6 bytes of record values (keys, headers and framing excluded).
// Creates a missing topic with the admin API (CreateTopics); librdkafka's
// mock broker does not serve that API, so mock_cluster creates its topics.
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "latency_histogram.h"

namespace {

using Clock = std::chrono::steady_clock;
using conveyor::bench::LatencyHistogram;

struct Options {
  std::string mode;
  std::string bootstrap = "127.0.0.1:9092";
  std::string topic = "conveyor-load";
  std::string label;
  int partitions = 3;
  size_t size = 100;
  int64_t count = 0;        // 0: until --duration (produce) or the end of the log (consume)
  double duration_s = 0;    // 0: until --count
  double rate = 0;          // messages/s; 0: as fast as the client goes
  std::string acks = "1";
  std::string linger_ms = "5";
  std::string batch_size;   // empty: librdkafka's default
  std::string compression = "none";
  std::string in_flight = "5";
  double timeout_s = 60;    // delivery / consume stall limit
  bool json = false;
  std::vector<std::pair<std::string, std::string>> extra;  // --set key=value
  std::string transactional_id;  // produce in transactions of txn_messages messages
  int64_t txn_messages = 100;
  int producers = 1;  // independent producer instances, one thread each
};

void usage(FILE* out) {
  std::fputs(
      "usage: conveyor_load produce|consume [options]\n"
      "  --bootstrap HOST:PORT    bootstrap servers (default 127.0.0.1:9092)\n"
      "  --topic NAME             topic (default conveyor-load)\n"
      "  --partitions N           partitions when the topic is created (default 3)\n"
      "  --size BYTES             value size (default 100)\n"
      "  --count N                messages to produce / consume\n"
      "  --duration SECONDS       produce for this long (default 10 without --count)\n"
      "  --rate MSGS_PER_S        pace the producer at this rate (default: unpaced)\n"
      "  --acks 0|1|all           (default 1)\n"
      "  --linger-ms MS           linger.ms (default 5)\n"
      "  --batch-size BYTES       batch.size (default: librdkafka's)\n"
      "  --compression CODEC      none|gzip|snappy|lz4|zstd (default none)\n"
      "  --in-flight N            max.in.flight.requests.per.connection (default 5)\n"
      "  --timeout SECONDS        give up when deliveries / fetches stall this long (60)\n"
      "  --set KEY=VALUE          any other librdkafka property (repeatable)\n"
      "  --transactional-id ID    produce in transactions (transactional.id=ID)\n"
      "  --txn-messages N         messages per transaction (default 100)\n"
      "  --producers N            N producer instances sharing --count and --rate; with\n"
      "                           --transactional-id ID they use ID-0 .. ID-(N-1) (default 1)\n"
      "  --label TEXT             name of the run in the output\n"
      "  --json                   print one JSON object instead of text\n",
      out);
}

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "conveyor_load: %s\n", message.c_str());
  std::exit(2);
}

template <typename T>
T parse_number(std::string_view flag, std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) {
    die("bad value for " + std::string(flag) + ": " + std::string(text));
  }
  return value;
}

Options parse_options(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    std::exit(2);
  }
  Options o;
  o.mode = argv[1];
  if (o.mode == "--help" || o.mode == "-h") {
    usage(stdout);
    std::exit(0);
  }
  if (o.mode != "produce" && o.mode != "consume") die("mode must be produce or consume");
  for (int i = 2; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (flag == "--json") {
      o.json = true;
      continue;
    }
    if (flag == "--help") {
      usage(stdout);
      std::exit(0);
    }
    if (i + 1 >= argc) die("missing value for " + std::string(flag));
    std::string_view value = argv[++i];
    if (flag == "--bootstrap") o.bootstrap = value;
    else if (flag == "--topic") o.topic = value;
    else if (flag == "--label") o.label = value;
    else if (flag == "--partitions") o.partitions = parse_number<int>(flag, value);
    else if (flag == "--size") o.size = parse_number<size_t>(flag, value);
    else if (flag == "--count") o.count = parse_number<int64_t>(flag, value);
    else if (flag == "--duration") o.duration_s = parse_number<double>(flag, value);
    else if (flag == "--rate") o.rate = parse_number<double>(flag, value);
    else if (flag == "--timeout") o.timeout_s = parse_number<double>(flag, value);
    else if (flag == "--acks") o.acks = value;
    else if (flag == "--transactional-id") o.transactional_id = value;
    else if (flag == "--txn-messages") o.txn_messages = parse_number<int64_t>(flag, value);
    else if (flag == "--producers") o.producers = parse_number<int>(flag, value);
    else if (flag == "--linger-ms") o.linger_ms = value;
    else if (flag == "--batch-size") o.batch_size = value;
    else if (flag == "--compression") o.compression = value;
    else if (flag == "--in-flight") o.in_flight = value;
    else if (flag == "--set") {
      auto eq = value.find('=');
      if (eq == std::string_view::npos) die("--set wants KEY=VALUE");
      o.extra.emplace_back(std::string(value.substr(0, eq)), std::string(value.substr(eq + 1)));
    } else {
      die("unknown option " + std::string(flag));
    }
  }
  if (o.partitions < 1) die("--partitions must be at least 1");
  if (o.producers < 1) die("--producers must be at least 1");
  if (o.mode == "produce" && o.count == 0 && o.duration_s == 0) o.duration_s = 10;
  if (o.label.empty()) o.label = o.mode;
  return o;
}

void set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value) {
  char errstr[512];
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof(errstr)) !=
      RD_KAFKA_CONF_OK) {
    die(key + "=" + value + ": " + errstr);
  }
}

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

uint64_t now_ns() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
          .count());
}

// The partition count of `topic` as the cluster reports it, or -1 when the
// topic is not listed or a partition has no leader yet.
int partition_count(rd_kafka_t* rk, const std::string& topic) {
  const rd_kafka_metadata_t* md = nullptr;
  if (rd_kafka_metadata(rk, 1, nullptr, &md, 5000) != RD_KAFKA_RESP_ERR_NO_ERROR) return -1;
  int count = -1;
  for (int t = 0; t < md->topic_cnt; ++t) {
    const rd_kafka_metadata_topic_t& mt = md->topics[t];
    if (topic != mt.topic || mt.err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    count = mt.partition_cnt;
    for (int p = 0; p < mt.partition_cnt; ++p) {
      if (mt.partitions[p].leader < 0) count = -1;
    }
  }
  rd_kafka_metadata_destroy(md);
  return count;
}

void create_topic(rd_kafka_t* rk, const Options& o) {
  char errstr[512];
  rd_kafka_NewTopic_t* nt =
      rd_kafka_NewTopic_new(o.topic.c_str(), o.partitions, 1, errstr, sizeof(errstr));
  if (nt == nullptr) die(std::string("NewTopic: ") + errstr);
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &nt, 1, nullptr, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 15000);
  if (ev == nullptr) die("CreateTopics: no answer in 15 s");
  if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    die(std::string("CreateTopics: ") + rd_kafka_event_error_string(ev));
  }
  const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev);
  size_t n = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(res, &n);
  for (size_t i = 0; i < n; ++i) {
    rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      const char* msg = rd_kafka_topic_result_error_string(results[i]);
      die("CreateTopics " + o.topic + ": " + rd_kafka_err2name(err) + " " + (msg ? msg : ""));
    }
  }
  rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  rd_kafka_NewTopic_destroy(nt);
}

// Creates the topic when the cluster does not list it, then waits until every
// partition has a leader. Returns the partition count.
int ensure_topic(rd_kafka_t* rk, const Options& o, bool may_create) {
  int count = partition_count(rk, o.topic);
  if (count > 0) return count;
  if (may_create) create_topic(rk, o);
  auto deadline = Clock::now() + std::chrono::seconds(15);
  while (Clock::now() < deadline) {
    count = partition_count(rk, o.topic);
    if (count > 0) return count;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  die("topic " + o.topic + " has no leader for every partition after 15 s");
}

// ---------------------------------------------------------------- results

struct Result {
  int64_t messages = 0;
  int64_t errors = 0;
  uint64_t bytes = 0;
  double elapsed_s = 0;
  const LatencyHistogram* latency = nullptr;  // produce only
  std::string first_error;
};

void print_result(const Options& o, int partitions, const Result& r) {
  double msgs_per_s = r.elapsed_s > 0 ? static_cast<double>(r.messages) / r.elapsed_s : 0;
  double mb_per_s = r.elapsed_s > 0 ? static_cast<double>(r.bytes) / 1e6 / r.elapsed_s : 0;
  // Consume reports the mean size it read, produce the size it sent.
  double value_size = r.latency != nullptr || r.messages == 0
                          ? static_cast<double>(o.size)
                          : static_cast<double>(r.bytes) / static_cast<double>(r.messages);
  auto us = [&](double q) { return static_cast<double>(r.latency->quantile_ns(q)) / 1e3; };
  if (o.json) {
    std::printf(
        "{\"label\": \"%s\", \"mode\": \"%s\", \"bootstrap\": \"%s\", \"topic\": \"%s\", "
        "\"partitions\": %d, \"size\": %.0f, \"acks\": \"%s\", \"linger_ms\": \"%s\", "
        "\"batch_size\": \"%s\", \"compression\": \"%s\", \"in_flight\": \"%s\", "
        "\"target_rate\": %.0f, \"messages\": %lld, \"errors\": %lld, \"bytes\": %llu, "
        "\"elapsed_s\": %.4f, \"msgs_per_s\": %.0f, \"mb_per_s\": %.2f",
        o.label.c_str(), o.mode.c_str(), o.bootstrap.c_str(), o.topic.c_str(), partitions, value_size,
        o.acks.c_str(), o.linger_ms.c_str(), o.batch_size.c_str(), o.compression.c_str(),
        o.in_flight.c_str(), o.rate, static_cast<long long>(r.messages),
        static_cast<long long>(r.errors), static_cast<unsigned long long>(r.bytes), r.elapsed_s,
        msgs_per_s, mb_per_s);
    if (r.latency != nullptr) {
      std::printf(
          ", \"latency_us\": {\"p50\": %.1f, \"p99\": %.1f, \"p999\": %.1f, \"max\": %.1f, "
          "\"mean\": %.1f}",
          us(0.5), us(0.99), us(0.999), static_cast<double>(r.latency->max_ns()) / 1e3,
          r.latency->mean_ns() / 1e3);
    }
    std::printf(", \"first_error\": \"%s\"}\n", r.first_error.c_str());
  } else {
    std::printf("%s: %lld messages of %.0f B in %.2f s: %.0f msgs/s, %.2f MB/s", o.label.c_str(),
                static_cast<long long>(r.messages), value_size, r.elapsed_s, msgs_per_s, mb_per_s);
    if (r.errors != 0) std::printf(", %lld errors", static_cast<long long>(r.errors));
    std::printf("\n");
    if (r.latency != nullptr) {
      std::printf("  latency (produce -> delivery report): p50 %.1f us, p99 %.1f us, "
                  "p99.9 %.1f us, max %.1f us\n",
                  us(0.5), us(0.99), us(0.999), static_cast<double>(r.latency->max_ns()) / 1e3);
    }
    if (!r.first_error.empty()) std::printf("  first error: %s\n", r.first_error.c_str());
  }
  std::fflush(stdout);
}

// ---------------------------------------------------------------- produce

// Touched only by the delivery-report thread, except the atomics.
struct ProduceState {
  LatencyHistogram latency;
  std::atomic<int64_t> delivered{0};
  std::atomic<int64_t> failed{0};
  uint64_t delivered_bytes = 0;
  uint64_t last_report_ns = 0;
  std::string first_error;
};

void on_delivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* m, void* opaque) {
  auto* state = static_cast<ProduceState*>(opaque);
  uint64_t now = now_ns();
  state->last_report_ns = now;
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (state->first_error.empty()) state->first_error = rd_kafka_message_errstr(m);
    state->failed.fetch_add(1, std::memory_order_release);
    return;
  }
  auto sent = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(m->_private));
  state->latency.record(now - sent);
  state->delivered_bytes += m->len;
  state->delivered.fetch_add(1, std::memory_order_release);
}

void on_error(rd_kafka_t* /*rk*/, int err, const char* reason, void* /*opaque*/) {
  std::fprintf(stderr, "conveyor_load: client error %s: %s\n",
               rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)), reason);
}

// One producer instance of --producers: its own librdkafka handle, its
// share of --count and --rate, its own delivery reports.
struct Producer {
  ProduceState state;
  rd_kafka_t* rk = nullptr;
  rd_kafka_topic_t* rkt = nullptr;
  int64_t count = 0;  // 0: until --duration
  double rate = 0;
  int64_t sent = 0;
  int64_t queue_full = 0;
  int64_t undelivered = 0;
};

void txn_check(rd_kafka_error_t* error, const char* what) {
  if (error == nullptr) return;
  const std::string message = std::string(what) + ": " + rd_kafka_error_string(error);
  rd_kafka_error_destroy(error);
  die(message);
}

// Creates producer `index`; with several transactional producers each gets
// transactional.id ID-index, so that they do not fence each other.
void open_producer(const Options& o, int index, Producer& p) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", o.bootstrap);
  set(conf, "acks", o.acks);
  set(conf, "linger.ms", o.linger_ms);
  if (!o.batch_size.empty()) set(conf, "batch.size", o.batch_size);
  set(conf, "compression.type", o.compression);
  set(conf, "max.in.flight.requests.per.connection", o.in_flight);
  for (const auto& [key, value] : o.extra) set(conf, key, value);
  const bool transactional = !o.transactional_id.empty();
  if (transactional) {
    set(conf, "transactional.id",
        o.producers == 1 ? o.transactional_id : o.transactional_id + "-" + std::to_string(index));
  }
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_conf_set_error_cb(conf, on_error);
  rd_kafka_conf_set_opaque(conf, &p.state);
  char errstr[512];
  p.rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (p.rk == nullptr) die(std::string("rd_kafka_new: ") + errstr);
}

// Sends p.count messages (or until --duration), then waits for their
// delivery reports. Transactions: each of txn_messages messages is begun,
// produced and committed in turn; commit waits for the transaction's
// deliveries.
void produce_loop(const Options& o, int partitions, const std::vector<char>& pool,
                  Clock::time_point start, Producer& p) {
  const bool transactional = !o.transactional_id.empty();
  std::atomic<bool> stop_polling{false};
  // Serves delivery reports. Not in transactional mode: commit_transaction
  // flushes, and a flush whose reports another thread takes only sees the
  // queue drain at its 10 ms poll timeouts (a stall per transaction).
  std::thread poller([&] {
    while (!transactional && !stop_polling.load(std::memory_order_acquire)) rd_kafka_poll(p.rk, 50);
  });
  const size_t window = pool.size() - o.size;
  for (;;) {
    if (p.count != 0 && p.sent >= p.count) break;
    if ((p.sent & 255) == 0 || p.rate > 0) {
      double elapsed = seconds_between(start, Clock::now());
      if (o.duration_s > 0 && elapsed >= o.duration_s) break;
      if (p.rate > 0) {
        double behind = elapsed * p.rate - static_cast<double>(p.sent);
        if (behind < 1) {
          std::this_thread::sleep_for(std::chrono::duration<double>((1 - behind) / p.rate));
          continue;
        }
      }
    }
    if (transactional && p.sent % o.txn_messages == 0) {
      if (p.sent > 0) txn_check(rd_kafka_commit_transaction(p.rk, 60000), "commit_transaction");
      txn_check(rd_kafka_begin_transaction(p.rk), "begin_transaction");
    }
    const char* value = pool.data() + (static_cast<size_t>(p.sent) * 7919U * 64U) % window;
    auto partition = static_cast<int32_t>(p.sent % partitions);
    for (;;) {
      uint64_t t = now_ns();
      if (rd_kafka_produce(p.rkt, partition, 0, const_cast<char*>(value), o.size, nullptr, 0,
                           reinterpret_cast<void*>(static_cast<uintptr_t>(t))) == 0) {
        break;
      }
      rd_kafka_resp_err_t err = rd_kafka_last_error();
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) die(std::string("produce: ") + rd_kafka_err2str(err));
      ++p.queue_full;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    ++p.sent;
  }
  if (transactional && p.sent > 0) {
    txn_check(rd_kafka_commit_transaction(p.rk, 60000), "commit_transaction");
  }

  // Wait for every delivery report; give up when none arrives for timeout_s.
  int64_t last_seen = -1;
  auto last_progress = Clock::now();
  for (;;) {
    int64_t done = p.state.delivered.load(std::memory_order_acquire) +
                   p.state.failed.load(std::memory_order_acquire);
    if (done >= p.sent) break;
    if (done != last_seen) {
      last_seen = done;
      last_progress = Clock::now();
    } else if (seconds_between(last_progress, Clock::now()) > o.timeout_s) {
      p.undelivered = p.sent - done;
      std::fprintf(stderr, "conveyor_load: %lld of %lld messages undelivered after %.0f s "
                   "without progress\n",
                   static_cast<long long>(p.undelivered), static_cast<long long>(p.sent),
                   o.timeout_s);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  stop_polling.store(true, std::memory_order_release);
  poller.join();
}

int run_produce(const Options& o) {
  if (!o.transactional_id.empty() && o.txn_messages < 1) die("--txn-messages must be at least 1");
  std::vector<Producer> producers(static_cast<size_t>(o.producers));
  int partitions = 0;
  for (int i = 0; i < o.producers; ++i) {
    Producer& p = producers[static_cast<size_t>(i)];
    open_producer(o, i, p);
    if (i == 0) partitions = ensure_topic(p.rk, o, true);
    p.rkt = rd_kafka_topic_new(p.rk, o.topic.c_str(), nullptr);
    if (!o.transactional_id.empty()) {
      txn_check(rd_kafka_init_transactions(p.rk, 30000), "init_transactions");
    }
    p.count = o.count / o.producers + (i < o.count % o.producers ? 1 : 0);
    p.rate = o.rate / o.producers;
  }

  // Values are windows into 4 MiB of random bytes, so that consecutive
  // messages differ and compression has no easy ride.
  std::vector<char> pool(std::max<size_t>(4U << 20U, 2 * o.size + 1));
  std::mt19937_64 rng(42);
  for (auto& c : pool) c = static_cast<char>(rng());

  auto start = Clock::now();
  uint64_t start_ns = now_ns();
  std::vector<std::thread> threads;
  for (auto& p : producers) {
    threads.emplace_back([&o, partitions, &pool, start, &p] { produce_loop(o, partitions, pool, start, p); });
  }
  for (auto& t : threads) t.join();

  LatencyHistogram latency;
  Result r;
  uint64_t last_report_ns = 0;
  int64_t queue_full = 0;
  for (auto& p : producers) {
    const int64_t delivered = p.state.delivered.load();
    r.messages += delivered;
    r.errors += p.state.failed.load() + (p.sent - delivered - p.state.failed.load());
    r.bytes += p.state.delivered_bytes;
    last_report_ns = std::max(last_report_ns, p.state.last_report_ns);
    latency.merge(p.state.latency);
    if (r.first_error.empty()) r.first_error = p.state.first_error;
    queue_full += p.queue_full;
  }
  r.elapsed_s = last_report_ns > start_ns ? static_cast<double>(last_report_ns - start_ns) / 1e9
                                          : seconds_between(start, Clock::now());
  r.latency = &latency;
  if (!o.json && queue_full > 0) {
    std::fprintf(stderr, "conveyor_load: local queue full %lld times (client-side back-pressure)\n",
                 static_cast<long long>(queue_full));
  }
  print_result(o, partitions, r);

  for (auto& p : producers) {
    rd_kafka_topic_destroy(p.rkt);
    rd_kafka_flush(p.rk, 1000);
    rd_kafka_destroy(p.rk);
  }
  return r.errors == 0 ? 0 : 1;
}

// ---------------------------------------------------------------- consume

int run_consume(const Options& o) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", o.bootstrap);
  // librdkafka's assign() needs a group handle, but nothing here joins the
  // group or commits: Conveyor has no group coordinator.
  set(conf, "group.id", "conveyor-load");
  set(conf, "enable.auto.commit", "false");
  set(conf, "enable.auto.offset.store", "false");
  set(conf, "enable.partition.eof", "true");
  for (const auto& [key, value] : o.extra) set(conf, key, value);
  rd_kafka_conf_set_error_cb(conf, on_error);
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
  if (rk == nullptr) die(std::string("rd_kafka_new: ") + errstr);
  int partitions = ensure_topic(rk, o, false);

  rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(assignment, o.topic.c_str(), p)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_queue_t* queue = rd_kafka_queue_get_consumer(rk);
  auto start = Clock::now();
  if (rd_kafka_resp_err_t err = rd_kafka_assign(rk, assignment); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    die(std::string("assign: ") + rd_kafka_err2str(err));
  }
  rd_kafka_topic_partition_list_destroy(assignment);

  Result r;
  std::vector<bool> at_end(static_cast<size_t>(partitions), false);
  int partitions_at_end = 0;
  // Timed from the first message to the last, so that connecting, the
  // group handle's start-up and ListOffsets stay out of the rate.
  Clock::time_point first_message{};
  Clock::time_point last_message{};
  auto last_progress = Clock::now();
  std::vector<rd_kafka_message_t*> batch(8192);
  bool done = false;
  while (!done) {
    ssize_t n = rd_kafka_consume_batch_queue(queue, 100, batch.data(), batch.size());
    if (n < 0) die(std::string("consume: ") + rd_kafka_err2str(rd_kafka_last_error()));
    if (n > 0) last_progress = Clock::now();
    for (ssize_t i = 0; i < n; ++i) {
      rd_kafka_message_t* m = batch[static_cast<size_t>(i)];
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        auto p = static_cast<size_t>(m->partition);
        if (p < at_end.size() && !at_end[p]) {
          at_end[p] = true;
          ++partitions_at_end;
        }
      } else if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        ++r.errors;
        if (r.first_error.empty()) r.first_error = rd_kafka_message_errstr(m);
      } else if (o.count == 0 || r.messages < o.count) {
        if (r.messages == 0) first_message = Clock::now();
        ++r.messages;
        r.bytes += m->len;
        last_message = Clock::now();
      }
      rd_kafka_message_destroy(m);
    }
    if (o.count != 0 && r.messages >= o.count) done = true;
    if (o.count == 0 && partitions_at_end == partitions) done = true;
    if (o.duration_s > 0 && seconds_between(start, Clock::now()) >= o.duration_s) done = true;
    if (seconds_between(last_progress, Clock::now()) > o.timeout_s) {
      std::fprintf(stderr, "conveyor_load: no message for %.0f s, %lld read; giving up\n",
                   o.timeout_s, static_cast<long long>(r.messages));
      ++r.errors;
      done = true;
    }
  }
  r.elapsed_s = r.messages > 1 ? seconds_between(first_message, last_message) : 0;
  print_result(o, partitions, r);

  rd_kafka_queue_destroy(queue);
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return r.errors == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse_options(argc, argv);
  return o.mode == "produce" ? run_produce(o) : run_consume(o);
}
