// The controller validates topic changes as Kafka does, commits them to the
// metadata log, and rebuilds the same image from the log after a restart.

#include "conveyor/metadata/controller.h"

#include <gtest/gtest.h>

#include "conveyor/metadata/topic_name.h"

namespace conveyor::metadata {
namespace {

using protocol::ErrorCode;

class ControllerTest : public ::testing::Test {
 protected:
  ControllerTest() {
    config_ = config::load_broker_config(std::nullopt, {"num.partitions=3"}).value();
    brokers_ = {BrokerInfo{config_.node_id, "localhost", 9092, std::nullopt}};
  }
  std::unique_ptr<Controller> make_controller() {
    auto controller = std::make_unique<Controller>(config_, store_, brokers_);
    auto loaded = controller->load();
    EXPECT_TRUE(loaded.ok());
    return controller;
  }
  static NewTopic topic(std::string name, std::int32_t partitions = -1) {
    NewTopic t;
    t.name = std::move(name);
    t.num_partitions = partitions;
    return t;
  }

  config::BrokerConfig config_;
  std::vector<BrokerInfo> brokers_;
  MemoryMetadataStore store_;
};

TEST_F(ControllerTest, FreshLogGetsAClusterIdThatSurvivesRestart) {
  auto first = make_controller();
  const std::string id = first->image()->cluster_id();
  EXPECT_EQ(id.size(), 22u);
  auto second = make_controller();
  EXPECT_EQ(second->image()->cluster_id(), id);
}

TEST_F(ControllerTest, CreatesTopicsWithDefaultsAndRebuildsThemFromTheLog) {
  auto controller = make_controller();
  NewTopic configured = topic("orders", 6);
  configured.configs = {{"retention.ms", "1000"}};
  auto results = controller->create_topics({topic("events"), configured}, false);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].error, ErrorCode::none);
  EXPECT_EQ(results[0].partitions, 3);
  EXPECT_EQ(results[1].partitions, 6);

  auto restarted = make_controller();
  auto orders = restarted->image()->topic("orders");
  ASSERT_TRUE(orders);
  EXPECT_EQ(orders->id, results[1].topic_id);
  EXPECT_EQ(orders->partition_count(), 6);
  EXPECT_EQ(orders->configs.at("retention.ms"), "1000");
  EXPECT_EQ(orders->partitions[5].leader, config_.node_id);
  EXPECT_EQ(restarted->image()->topic(results[0].topic_id)->name, "events");
}

TEST_F(ControllerTest, RejectsWhatKafkaRejects) {
  auto controller = make_controller();
  ASSERT_EQ(controller->create_topics({topic("a.b")}, false)[0].error, ErrorCode::none);
  auto results = controller->create_topics(
      {topic("a.b"), topic("a_b"), topic("bad name"), topic(std::string(250, 'x')), topic("zero", 0),
       topic("dup"), topic("dup")},
      false);
  EXPECT_EQ(results[0].error, ErrorCode::topic_already_exists);
  EXPECT_EQ(results[1].error, ErrorCode::invalid_topic_exception);  // collides with a.b
  EXPECT_EQ(results[2].error, ErrorCode::invalid_topic_exception);
  EXPECT_EQ(results[3].error, ErrorCode::invalid_topic_exception);
  EXPECT_EQ(results[4].error, ErrorCode::invalid_partitions);
  EXPECT_EQ(results[5].error, ErrorCode::invalid_request);
  EXPECT_EQ(results[6].error, ErrorCode::invalid_request);

  NewTopic replicated = topic("replicated");
  replicated.replication_factor = 3;
  EXPECT_EQ(controller->create_topics({replicated}, false)[0].error, ErrorCode::invalid_replication_factor);
  NewTopic bad_config = topic("configured");
  bad_config.configs = {{"retention.ms", "soon"}};
  auto bad = controller->create_topics({bad_config}, false)[0];
  EXPECT_EQ(bad.error, ErrorCode::invalid_config);
  EXPECT_NE(bad.message.find("retention.ms"), std::string::npos);
  EXPECT_EQ(controller->create_topics({topic("huge", INT32_MAX)}, false)[0].error, ErrorCode::invalid_partitions);
}

TEST_F(ControllerTest, ValidateOnlyCommitsNothing) {
  auto controller = make_controller();
  auto result = controller->create_topics({topic("dry-run", 4)}, true)[0];
  EXPECT_EQ(result.error, ErrorCode::none);
  EXPECT_EQ(result.partitions, 4);
  EXPECT_FALSE(controller->image()->topic("dry-run"));
}

TEST_F(ControllerTest, DeleteAddPartitionsAndAlterConfigs) {
  auto controller = make_controller();
  ASSERT_EQ(controller->create_topics({topic("t", 2)}, false)[0].error, ErrorCode::none);

  EXPECT_EQ(controller->create_partitions("t", 2, {}, false).error, ErrorCode::invalid_partitions);
  EXPECT_EQ(controller->create_partitions("nope", 4, {}, false).error, ErrorCode::unknown_topic_or_partition);
  EXPECT_EQ(controller->create_partitions("t", 5, {}, false).error, ErrorCode::none);
  EXPECT_EQ(controller->image()->topic("t")->partition_count(), 5);

  EXPECT_EQ(controller->alter_topic_configs("t", {{"cleanup.policy", "compact", ConfigOp::set}}, true, false).error,
            ErrorCode::none);
  EXPECT_EQ(controller->alter_topic_configs("t", {{"cleanup.policy", "delete", ConfigOp::append}}, true, false).error,
            ErrorCode::none);
  EXPECT_EQ(controller->image()->topic("t")->configs.at("cleanup.policy"), "compact,delete");
  EXPECT_EQ(controller->alter_topic_configs("t", {{"retention.ms", "5", ConfigOp::append}}, true, false).error,
            ErrorCode::invalid_config);
  // AlterConfigs (non-incremental) replaces the whole set.
  EXPECT_EQ(controller->alter_topic_configs("t", {{"retention.ms", "5", ConfigOp::set}}, false, false).error,
            ErrorCode::none);
  EXPECT_EQ(controller->image()->topic("t")->configs, (config::ConfigValues{{"retention.ms", "5"}}));

  auto id = controller->image()->topic("t")->id;
  EXPECT_EQ(controller->delete_topic(controller->image()->topic("t")).error, ErrorCode::none);
  EXPECT_FALSE(controller->image()->topic("t"));
  EXPECT_FALSE(controller->image()->topic(id));
  auto restarted = make_controller();
  EXPECT_FALSE(restarted->image()->topic("t"));
}

TEST(TopicName, KafkaRules) {
  EXPECT_FALSE(validate_topic_name("my-topic_1.v2"));
  EXPECT_TRUE(validate_topic_name(""));
  EXPECT_TRUE(validate_topic_name("."));
  EXPECT_TRUE(validate_topic_name(".."));
  EXPECT_TRUE(validate_topic_name("a/b"));
  EXPECT_TRUE(validate_topic_name("é"));
  EXPECT_FALSE(validate_topic_name(std::string(249, 'a')));
  EXPECT_TRUE(validate_topic_name(std::string(250, 'a')));
}

}  // namespace
}  // namespace conveyor::metadata

namespace conveyor::metadata {
namespace {

TEST_F(ControllerTest, ProducerIdBlocksNeverOverlapAcrossRestarts) {
  auto first = make_controller();
  const auto a = first->allocate_producer_ids(1, 1000);
  const auto b = first->allocate_producer_ids(1, 1000);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a.value(), 0);
  EXPECT_EQ(b.value(), 1000);
  auto second = make_controller();
  EXPECT_EQ(second->image()->next_producer_id(), 2000);
  const auto c = second->allocate_producer_ids(1, 1000);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.value(), 2000);
  EXPECT_FALSE(second->allocate_producer_ids(1, 0).ok());
}

}  // namespace
}  // namespace conveyor::metadata
