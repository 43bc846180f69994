// Broker configuration: Kafka names and defaults, YAML (flat and nested),
// --set overrides, and clear errors for unknown keys and bad values.

#include "conveyor/config/broker_config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "conveyor/config/documented_yaml.h"
#include "conveyor/config/topic_config.h"
#include "conveyor/config/yaml_source.h"

namespace conveyor::config {
namespace {

TEST(BrokerConfig, EmbeddedDefaultIsOneNodeOnLocalhost9092WithDataInDotData) {
  auto config = load_broker_config(std::nullopt, {});
  ASSERT_TRUE(config.ok()) << config.error();
  ASSERT_EQ(config->listeners.size(), 1u);
  EXPECT_EQ(config->listeners[0].host, "localhost");
  EXPECT_EQ(config->listeners[0].port, 9092);
  EXPECT_EQ(config->advertised_listeners[0].port, 9092);
  EXPECT_EQ(config->log_dirs, std::vector<std::string>{"./data"});
  EXPECT_EQ(config->num_partitions, 1);
  EXPECT_TRUE(config->auto_create_topics_enable);
  EXPECT_EQ(config->socket_request_max_bytes, 104857600);
  EXPECT_EQ(config->connections_max_idle_ms, 600000);
}

TEST(BrokerConfig, YamlAcceptsFlatAndNestedKeysAndLists) {
  auto values = read_yaml_text(
      "node.id: 3\n"
      "log:\n"
      "  dirs: [/a, /b]\n"
      "  retention.hours: 24\n"
      "auto.create.topics.enable: false\n");
  ASSERT_TRUE(values.ok()) << values.error();
  auto config = build_broker_config(values.value());
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->node_id, 3);
  EXPECT_EQ(config->log_dirs, (std::vector<std::string>{"/a", "/b"}));
  EXPECT_FALSE(config->auto_create_topics_enable);
  EXPECT_EQ(topic_config_value("retention.ms", config.value(), {}), "86400000");
}

TEST(BrokerConfig, SetOverridesWin) {
  auto config = load_broker_config(std::nullopt, {"num.partitions=6", "listeners=PLAINTEXT://127.0.0.1:0"});
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->num_partitions, 6);
  EXPECT_EQ(config->listeners[0].host, "127.0.0.1");
  EXPECT_EQ(config->listeners[0].port, 0);
}

TEST(BrokerConfig, UnknownKeyIsRejectedByName) {
  auto config = load_broker_config(std::nullopt, {"log.retention.hourz=5"});
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().find("log.retention.hourz"), std::string::npos);
}

TEST(BrokerConfig, BadValuesNameTheKeyAndTheAllowedValues) {
  auto not_a_number = load_broker_config(std::nullopt, {"num.partitions=many"});
  ASSERT_FALSE(not_a_number.ok());
  EXPECT_NE(not_a_number.error().find("num.partitions"), std::string::npos);

  auto out_of_range = load_broker_config(std::nullopt, {"num.partitions=0"});
  ASSERT_FALSE(out_of_range.ok());
  EXPECT_NE(out_of_range.error().find("[1, 2147483647]"), std::string::npos);

  auto bad_enum = load_broker_config(std::nullopt, {"log.message.timestamp.type=Sometimes"});
  ASSERT_FALSE(bad_enum.ok());
  EXPECT_NE(bad_enum.error().find("CreateTime, LogAppendTime"), std::string::npos);

  auto bad_bool = load_broker_config(std::nullopt, {"auto.create.topics.enable=yes please"});
  ASSERT_FALSE(bad_bool.ok());
  EXPECT_NE(bad_bool.error().find("true or false"), std::string::npos);

  auto bad_listener = load_broker_config(std::nullopt, {"listeners=localhost"});
  ASSERT_FALSE(bad_listener.ok());
  EXPECT_NE(bad_listener.error().find("NAME://host:port"), std::string::npos);
}

TEST(BrokerConfig, MissingFileIsAnError) {
  auto config = load_broker_config(std::string("/nonexistent/conveyor.yaml"), {});
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().find("/nonexistent/conveyor.yaml"), std::string::npos);
}

TEST(TopicConfig, ResolutionOrderTopicThenBrokerThenDefault) {
  auto broker = load_broker_config(std::nullopt, {"log.retention.minutes=10", "log.segment.bytes=1048576"});
  ASSERT_TRUE(broker.ok());
  ConfigValues topic{{"segment.bytes", "2097152"}};
  auto segment = resolve_topic_config(*find_topic_key("segment.bytes"), broker.value(), topic);
  EXPECT_EQ(segment.value, "2097152");
  EXPECT_EQ(segment.source, ConfigSource::topic);
  ASSERT_GE(segment.synonyms.size(), 3u);
  EXPECT_EQ(segment.synonyms[1].name, "log.segment.bytes");
  EXPECT_EQ(segment.synonyms[1].source, ConfigSource::static_broker);

  auto retention = resolve_topic_config(*find_topic_key("retention.ms"), broker.value(), topic);
  EXPECT_EQ(retention.value, "600000");
  EXPECT_EQ(retention.source, ConfigSource::static_broker);

  auto cleanup = resolve_topic_config(*find_topic_key("cleanup.policy"), broker.value(), topic);
  EXPECT_EQ(cleanup.value, "delete");
  EXPECT_EQ(cleanup.source, ConfigSource::default_config);
}

TEST(TopicConfig, ValidationRejectsUnknownKeysAndBadValues) {
  EXPECT_FALSE(validate_topic_configs({{"retention.mss", "1"}}).ok());
  EXPECT_FALSE(validate_topic_configs({{"cleanup.policy", "shred"}}).ok());
  auto ok = validate_topic_configs({{"cleanup.policy", "compact, delete"}});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->at("cleanup.policy"), "compact,delete");
}

}  // namespace
}  // namespace conveyor::config

namespace conveyor::config {
namespace {

TEST(DocumentedYaml, ConfigFileInTheRepositoryIsCurrent) {
  std::ifstream in(CONVEYOR_SOURCE_DIR "/config/conveyor.yaml");
  ASSERT_TRUE(in) << "config/conveyor.yaml is missing";
  std::stringstream file;
  file << in.rdbuf();
  EXPECT_EQ(file.str(), documented_yaml())
      << "regenerate it: build/release/src/conveyor --print-config > config/conveyor.yaml";
}

TEST(DocumentedYaml, UncommentedItLoadsAsTheDefaults) {
  std::string text = documented_yaml();
  std::string uncommented;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    // "# some.key: value" lines become "some.key: value"; prose stays a comment.
    const auto colon = line.find(':');
    const std::string key = colon == std::string::npos ? "" : line.substr(2, colon - 2);
    if (line.rfind("# ", 0) == 0 && !key.empty() && key.find(' ') == std::string::npos &&
        key.find('.') != std::string::npos) {
      uncommented += line.substr(2) + "\n";
    }
  }
  auto values = read_yaml_text(uncommented);
  ASSERT_TRUE(values.ok()) << values.error();
  EXPECT_GT(values->size(), 30u);
  auto config = build_broker_config(values.value());
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->listeners[0].port, 9092);
}

}  // namespace
}  // namespace conveyor::config
