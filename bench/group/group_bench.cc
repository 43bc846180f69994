#include "group_bench.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace conveyor::bench {

void die(const std::string& message) {
  std::fprintf(stderr, "conveyor_group_bench: %s\n", message.c_str());
  std::exit(2);
}

std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

double seconds_between(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

void print(const GroupBenchOptions& o, const Figures& figures) {
  if (!o.json) {
    for (const auto& [name, value] : figures) std::printf("%s: %s\n", name.c_str(), value.c_str());
    return;
  }
  std::printf("{\"mode\": \"%s\"", o.mode.c_str());
  for (const auto& [name, value] : figures) {
    char* end = nullptr;
    const double parsed = std::strtod(value.c_str(), &end);
    const bool numeric = !value.empty() && end != nullptr && *end == '\0' && std::isfinite(parsed);
    if (numeric) {
      std::printf(", \"%s\": %s", name.c_str(), value.c_str());
    } else {
      std::printf(", \"%s\": \"%s\"", name.c_str(), value.c_str());
    }
  }
  std::printf("}\n");
}

Handle make_client(rd_kafka_type_t type, const std::string& bootstrap,
                   const std::map<std::string, std::string>& settings, rd_kafka_conf_t* conf) {
  if (conf == nullptr) conf = rd_kafka_conf_new();
  char error[512];
  auto set = [&](const std::string& key, const std::string& value) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error, sizeof error) != RD_KAFKA_CONF_OK) {
      die(key + "=" + value + ": " + error);
    }
  };
  set("bootstrap.servers", bootstrap);
  for (const auto& [key, value] : settings) set(key, value);
  rd_kafka_t* rk = rd_kafka_new(type, conf, error, sizeof error);
  if (rk == nullptr) die(std::string("rd_kafka_new: ") + error);
  return Handle(rk, &rd_kafka_destroy);
}

Handle make_member(const GroupBenchOptions& o, const std::string& group, const std::string& client_id,
                   const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> settings{{"group.id", group},
                                               {"client.id", client_id},
                                               {"enable.auto.commit", "false"},
                                               {"session.timeout.ms", "10000"},
                                               {"heartbeat.interval.ms", std::to_string(o.heartbeat_ms)}};
  for (const auto& [key, value] : extra) settings[key] = value;
  for (const auto& [key, value] : o.client_settings) settings[key] = value;
  Handle rk = make_client(RD_KAFKA_CONSUMER, o.bootstrap, settings);
  rd_kafka_poll_set_consumer(rk.get());
  return rk;
}

void subscribe(rd_kafka_t* rk, const std::string& topic) {
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
  const rd_kafka_resp_err_t err = rd_kafka_subscribe(rk, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) die(std::string("subscribe: ") + rd_kafka_err2str(err));
}

void ensure_topic(rd_kafka_t* admin, const std::string& topic, int partitions) {
  char error[512];
  rd_kafka_NewTopic_t* new_topic = rd_kafka_NewTopic_new(topic.c_str(), partitions, 1, error, sizeof error);
  if (new_topic == nullptr) die(std::string("NewTopic: ") + error);
  rd_kafka_queue_t* queue = rd_kafka_queue_new(admin);
  rd_kafka_CreateTopics(admin, &new_topic, 1, nullptr, queue);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, 30000);
  if (event == nullptr) die("CreateTopics: no answer in 30 s");
  if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    die(std::string("CreateTopics: ") + rd_kafka_event_error_string(event));
  }
  size_t n = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &n);
  for (size_t i = 0; i < n; ++i) {
    const auto err = rd_kafka_topic_result_error(results[i]);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      die(std::string("CreateTopics: ") + rd_kafka_err2str(err));
    }
  }
  rd_kafka_event_destroy(event);
  rd_kafka_queue_destroy(queue);
  rd_kafka_NewTopic_destroy(new_topic);
}

}  // namespace conveyor::bench
