// Consumer group administration through librdkafka's C admin API (2.0.2),
// the API that confluent-kafka's AdminClient wraps (Debian's
// python3-confluent-kafka 1.7 predates its group methods, so the calls are
// made here directly): AlterConsumerGroupOffsets, ListConsumerGroupOffsets,
// ListConsumerGroups with a state filter, DescribeConsumerGroups,
// DeleteConsumerGroupOffsets (OffsetDelete) and DeleteGroups, against one
// empty group (offsets only) and one with a live member.

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "broker_process.h"

namespace {

using conveyor::testing::BrokerProcess;
constexpr int kTimeoutMs = 30000;
constexpr const char* kTopic = "admin-t";

using Handle = std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)>;
using Event = std::unique_ptr<rd_kafka_event_t, decltype(&rd_kafka_event_destroy)>;
using Queue = std::unique_ptr<rd_kafka_queue_t, decltype(&rd_kafka_queue_destroy)>;
using Options = std::unique_ptr<rd_kafka_AdminOptions_t, decltype(&rd_kafka_AdminOptions_destroy)>;
using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, decltype(&rd_kafka_topic_partition_list_destroy)>;

Handle make_client(rd_kafka_type_t type, const std::map<std::string, std::string>& settings) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[512];
  for (const auto& [key, value] : settings) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error, sizeof error) != RD_KAFKA_CONF_OK) {
      ADD_FAILURE() << key << ": " << error;
    }
  }
  rd_kafka_t* rk = rd_kafka_new(type, conf, error, sizeof error);
  if (rk == nullptr) ADD_FAILURE() << error;
  return Handle(rk, &rd_kafka_destroy);
}

PartitionList partitions(const std::vector<std::pair<int32_t, int64_t>>& offsets) {
  PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())),
                     &rd_kafka_topic_partition_list_destroy);
  for (const auto& [partition, offset] : offsets) {
    rd_kafka_topic_partition_list_add(list.get(), kTopic, partition)->offset = offset;
  }
  return list;
}

// partition -> offset of `kTopic` in a result list; a partition error is a test failure.
std::map<int32_t, int64_t> offsets_of(const rd_kafka_topic_partition_list_t* list) {
  std::map<int32_t, int64_t> out;
  for (int i = 0; list != nullptr && i < list->cnt; ++i) {
    const auto& p = list->elems[i];
    EXPECT_EQ(p.err, RD_KAFKA_RESP_ERR_NO_ERROR) << p.topic << "-" << p.partition << ": " << rd_kafka_err2str(p.err);
    if (std::string(p.topic) == kTopic) out[p.partition] = p.offset;
  }
  return out;
}

class GroupAdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_.start();
    admin_ = make_client(RD_KAFKA_PRODUCER, {{"bootstrap.servers", broker_.bootstrap()}});
    queue_.reset(rd_kafka_queue_new(admin_.get()));
    create_topic();
  }

  Options options(rd_kafka_admin_op_t op) {
    Options o(rd_kafka_AdminOptions_new(admin_.get(), op), &rd_kafka_AdminOptions_destroy);
    char error[256];
    EXPECT_EQ(rd_kafka_AdminOptions_set_request_timeout(o.get(), kTimeoutMs, error, sizeof error),
              RD_KAFKA_RESP_ERR_NO_ERROR);
    return o;
  }

  // Waits for the one result event of an admin call made on `queue_`.
  Event result(rd_kafka_event_type_t type) {
    Event event(rd_kafka_queue_poll(queue_.get(), kTimeoutMs + 5000), &rd_kafka_event_destroy);
    EXPECT_NE(event, nullptr) << "no admin result";
    if (!event) return event;
    EXPECT_EQ(rd_kafka_event_type(event.get()), type);
    EXPECT_EQ(rd_kafka_event_error(event.get()), RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_event_error_string(event.get());
    return event;
  }

  void create_topic() {
    char error[256];
    rd_kafka_NewTopic_t* topic = rd_kafka_NewTopic_new(kTopic, 3, 1, error, sizeof error);
    auto o = options(RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_CreateTopics(admin_.get(), &topic, 1, o.get(), queue_.get());
    auto event = result(RD_KAFKA_EVENT_CREATETOPICS_RESULT);
    size_t n = 0;
    const rd_kafka_topic_result_t** topics =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event.get()), &n);
    ASSERT_EQ(n, 1u);
    EXPECT_EQ(rd_kafka_topic_result_error(topics[0]), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_NewTopic_destroy(topic);
  }

  // AlterConsumerGroupOffsets: an OffsetCommit outside the group (generation -1).
  void alter_offsets(const std::string& group, const std::vector<std::pair<int32_t, int64_t>>& offsets) {
    auto list = partitions(offsets);
    rd_kafka_AlterConsumerGroupOffsets_t* request = rd_kafka_AlterConsumerGroupOffsets_new(group.c_str(), list.get());
    auto o = options(RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS);
    rd_kafka_AlterConsumerGroupOffsets(admin_.get(), &request, 1, o.get(), queue_.get());
    rd_kafka_AlterConsumerGroupOffsets_destroy(request);
    auto event = result(RD_KAFKA_EVENT_ALTERCONSUMERGROUPOFFSETS_RESULT);
    size_t n = 0;
    const rd_kafka_group_result_t** groups = rd_kafka_AlterConsumerGroupOffsets_result_groups(
        rd_kafka_event_AlterConsumerGroupOffsets_result(event.get()), &n);
    ASSERT_EQ(n, 1u);
    EXPECT_EQ(rd_kafka_group_result_error(groups[0]), nullptr);
    EXPECT_EQ(offsets_of(rd_kafka_group_result_partitions(groups[0])).size(), offsets.size());
  }

  // ListConsumerGroupOffsets (OffsetFetch) of every committed partition.
  std::map<int32_t, int64_t> list_offsets(const std::string& group) {
    rd_kafka_ListConsumerGroupOffsets_t* request = rd_kafka_ListConsumerGroupOffsets_new(group.c_str(), nullptr);
    auto o = options(RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS);
    rd_kafka_ListConsumerGroupOffsets(admin_.get(), &request, 1, o.get(), queue_.get());
    rd_kafka_ListConsumerGroupOffsets_destroy(request);
    auto event = result(RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT);
    size_t n = 0;
    const rd_kafka_group_result_t** groups = rd_kafka_ListConsumerGroupOffsets_result_groups(
        rd_kafka_event_ListConsumerGroupOffsets_result(event.get()), &n);
    if (n != 1) {
      ADD_FAILURE() << n << " group results";
      return {};
    }
    EXPECT_EQ(rd_kafka_group_result_error(groups[0]), nullptr);
    return offsets_of(rd_kafka_group_result_partitions(groups[0]));
  }

  // ListConsumerGroups, optionally filtered by state: group id -> (state, simple).
  std::map<std::string, std::pair<std::string, bool>> list_groups(std::vector<rd_kafka_consumer_group_state_t> states) {
    auto o = options(RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS);
    if (!states.empty()) {
      rd_kafka_error_t* error = rd_kafka_AdminOptions_set_match_consumer_group_states(o.get(), states.data(), states.size());
      EXPECT_EQ(error, nullptr);
      if (error) rd_kafka_error_destroy(error);
    }
    rd_kafka_ListConsumerGroups(admin_.get(), o.get(), queue_.get());
    auto event = result(RD_KAFKA_EVENT_LISTCONSUMERGROUPS_RESULT);
    const auto* listed = rd_kafka_event_ListConsumerGroups_result(event.get());
    size_t errors = 0;
    rd_kafka_ListConsumerGroups_result_errors(listed, &errors);
    EXPECT_EQ(errors, 0u);
    size_t n = 0;
    const rd_kafka_ConsumerGroupListing_t** valid = rd_kafka_ListConsumerGroups_result_valid(listed, &n);
    std::map<std::string, std::pair<std::string, bool>> out;
    for (size_t i = 0; i < n; ++i) {
      out[rd_kafka_ConsumerGroupListing_group_id(valid[i])] = {
          rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupListing_state(valid[i])),
          rd_kafka_ConsumerGroupListing_is_simple_consumer_group(valid[i]) != 0};
    }
    return out;
  }

  // DeleteGroups: group id -> error code.
  std::map<std::string, rd_kafka_resp_err_t> delete_groups(const std::vector<std::string>& ids) {
    std::vector<rd_kafka_DeleteGroup_t*> requests;
    for (const auto& id : ids) requests.push_back(rd_kafka_DeleteGroup_new(id.c_str()));
    auto o = options(RD_KAFKA_ADMIN_OP_DELETEGROUPS);
    rd_kafka_DeleteGroups(admin_.get(), requests.data(), requests.size(), o.get(), queue_.get());
    rd_kafka_DeleteGroup_destroy_array(requests.data(), requests.size());
    auto event = result(RD_KAFKA_EVENT_DELETEGROUPS_RESULT);
    size_t n = 0;
    const rd_kafka_group_result_t** groups =
        rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(event.get()), &n);
    std::map<std::string, rd_kafka_resp_err_t> out;
    for (size_t i = 0; i < n; ++i) {
      const rd_kafka_error_t* error = rd_kafka_group_result_error(groups[i]);
      out[rd_kafka_group_result_name(groups[i])] = error ? rd_kafka_error_code(error) : RD_KAFKA_RESP_ERR_NO_ERROR;
    }
    return out;
  }

  // DeleteConsumerGroupOffsets (OffsetDelete): partition -> error code, or
  // the group-level error under partition -1.
  std::map<int32_t, rd_kafka_resp_err_t> delete_offsets(const std::string& group, std::vector<int32_t> which) {
    std::vector<std::pair<int32_t, int64_t>> offsets;
    for (int32_t p : which) offsets.emplace_back(p, RD_KAFKA_OFFSET_INVALID);
    auto list = partitions(offsets);
    rd_kafka_DeleteConsumerGroupOffsets_t* request = rd_kafka_DeleteConsumerGroupOffsets_new(group.c_str(), list.get());
    auto o = options(RD_KAFKA_ADMIN_OP_DELETECONSUMERGROUPOFFSETS);
    rd_kafka_DeleteConsumerGroupOffsets(admin_.get(), &request, 1, o.get(), queue_.get());
    rd_kafka_DeleteConsumerGroupOffsets_destroy(request);
    Event event(rd_kafka_queue_poll(queue_.get(), kTimeoutMs + 5000), &rd_kafka_event_destroy);
    std::map<int32_t, rd_kafka_resp_err_t> out;
    if (!event) {
      ADD_FAILURE() << "no DeleteConsumerGroupOffsets result";
      return out;
    }
    if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      out[-1] = rd_kafka_event_error(event.get());
      return out;
    }
    size_t n = 0;
    const rd_kafka_group_result_t** groups = rd_kafka_DeleteConsumerGroupOffsets_result_groups(
        rd_kafka_event_DeleteConsumerGroupOffsets_result(event.get()), &n);
    if (n != 1) return out;
    if (const rd_kafka_error_t* error = rd_kafka_group_result_error(groups[0])) out[-1] = rd_kafka_error_code(error);
    const auto* list_out = rd_kafka_group_result_partitions(groups[0]);
    for (int i = 0; list_out != nullptr && i < list_out->cnt; ++i) out[list_out->elems[i].partition] = list_out->elems[i].err;
    return out;
  }

  BrokerProcess broker_{{"group.initial.rebalance.delay.ms=0"}};
  Handle admin_{nullptr, &rd_kafka_destroy};
  Queue queue_{nullptr, &rd_kafka_queue_destroy};  // admin results; destroyed before admin_
};

// A subscribed consumer that has its assignment of all three partitions.
Handle live_member(const std::string& bootstrap, const std::string& group) {
  Handle consumer = make_client(RD_KAFKA_CONSUMER, {{"bootstrap.servers", bootstrap},
                                                    {"group.id", group},
                                                    {"client.id", "live-client"},
                                                    {"partition.assignment.strategy", "range"},
                                                    {"session.timeout.ms", "6000"},
                                                    {"heartbeat.interval.ms", "200"},
                                                    {"enable.auto.commit", "false"}});
  rd_kafka_poll_set_consumer(consumer.get());
  auto topics = PartitionList(rd_kafka_topic_partition_list_new(1), &rd_kafka_topic_partition_list_destroy);
  rd_kafka_topic_partition_list_add(topics.get(), kTopic, RD_KAFKA_PARTITION_UA);
  EXPECT_EQ(rd_kafka_subscribe(consumer.get(), topics.get()), RD_KAFKA_RESP_ERR_NO_ERROR);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kTimeoutMs);
  while (std::chrono::steady_clock::now() < deadline) {
    if (rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer.get(), 100)) rd_kafka_message_destroy(m);
    rd_kafka_topic_partition_list_t* assigned = nullptr;
    if (rd_kafka_assignment(consumer.get(), &assigned) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const int count = assigned->cnt;
      rd_kafka_topic_partition_list_destroy(assigned);
      if (count == 3) return consumer;
    }
  }
  ADD_FAILURE() << "the live member got no assignment";
  return consumer;
}

TEST_F(GroupAdminTest, ListDescribeOffsetsDeleteOffsetsAndDeleteGroups) {
  // An offsets-only group, committed and read back through the admin API.
  alter_offsets("admin-empty", {{0, 5}, {1, 7}, {2, 9}});
  EXPECT_EQ(list_offsets("admin-empty"), (std::map<int32_t, int64_t>{{0, 5}, {1, 7}, {2, 9}}));

  // A group with one live member that committed.
  Handle member = live_member(broker_.bootstrap(), "admin-live");
  auto committed = partitions({{0, 11}, {1, 12}, {2, 13}});
  ASSERT_EQ(rd_kafka_commit(member.get(), committed.get(), 0), RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(list_offsets("admin-live"), (std::map<int32_t, int64_t>{{0, 11}, {1, 12}, {2, 13}}));

  // ListGroups, all and by state (ListGroups v4 StatesFilter).
  auto all = list_groups({});
  ASSERT_TRUE(all.contains("admin-empty") && all.contains("admin-live"));
  EXPECT_EQ(all["admin-empty"], (std::pair<std::string, bool>{"Empty", true}));  // no protocol type: "simple"
  EXPECT_EQ(all["admin-live"], (std::pair<std::string, bool>{"Stable", false}));
  auto stable = list_groups({RD_KAFKA_CONSUMER_GROUP_STATE_STABLE});
  EXPECT_TRUE(stable.contains("admin-live"));
  EXPECT_FALSE(stable.contains("admin-empty"));
  auto empty = list_groups({RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY});
  EXPECT_TRUE(empty.contains("admin-empty"));
  EXPECT_FALSE(empty.contains("admin-live"));

  // DescribeGroups: state, assignor, the member and its assignment.
  {
    const char* ids[] = {"admin-live", "admin-empty"};
    auto o = options(RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS);
    rd_kafka_DescribeConsumerGroups(admin_.get(), ids, 2, o.get(), queue_.get());
    auto event = result(RD_KAFKA_EVENT_DESCRIBECONSUMERGROUPS_RESULT);
    size_t n = 0;
    const rd_kafka_ConsumerGroupDescription_t** groups = rd_kafka_DescribeConsumerGroups_result_groups(
        rd_kafka_event_DescribeConsumerGroups_result(event.get()), &n);
    ASSERT_EQ(n, 2u);
    std::map<std::string, const rd_kafka_ConsumerGroupDescription_t*> by_id;
    for (size_t i = 0; i < n; ++i) {
      EXPECT_EQ(rd_kafka_ConsumerGroupDescription_error(groups[i]), nullptr);
      by_id[rd_kafka_ConsumerGroupDescription_group_id(groups[i])] = groups[i];
    }
    const auto* live = by_id.at("admin-live");
    EXPECT_EQ(rd_kafka_ConsumerGroupDescription_state(live), RD_KAFKA_CONSUMER_GROUP_STATE_STABLE);
    EXPECT_STREQ(rd_kafka_ConsumerGroupDescription_partition_assignor(live), "range");
    EXPECT_FALSE(rd_kafka_ConsumerGroupDescription_is_simple_consumer_group(live));
    ASSERT_EQ(rd_kafka_ConsumerGroupDescription_member_count(live), 1u);
    const auto* m = rd_kafka_ConsumerGroupDescription_member(live, 0);
    EXPECT_STREQ(rd_kafka_MemberDescription_client_id(m), "live-client");
    EXPECT_EQ(std::string(rd_kafka_MemberDescription_consumer_id(m)).rfind("live-client-", 0), 0u);
    EXPECT_STREQ(rd_kafka_MemberDescription_host(m), "/127.0.0.1");
    const auto* assigned = rd_kafka_MemberAssignment_partitions(rd_kafka_MemberDescription_assignment(m));
    ASSERT_NE(assigned, nullptr);
    std::set<int32_t> assigned_partitions;
    for (int i = 0; i < assigned->cnt; ++i) {
      EXPECT_STREQ(assigned->elems[i].topic, kTopic);
      assigned_partitions.insert(assigned->elems[i].partition);
    }
    EXPECT_EQ(assigned_partitions, (std::set<int32_t>{0, 1, 2}));
    const auto* idle = by_id.at("admin-empty");
    EXPECT_EQ(rd_kafka_ConsumerGroupDescription_state(idle), RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY);
    EXPECT_EQ(rd_kafka_ConsumerGroupDescription_member_count(idle), 0u);
  }

  // OffsetDelete: refused for a topic the live group subscribes to, done for the empty group.
  auto refused = delete_offsets("admin-live", {0});
  EXPECT_EQ(refused[0], RD_KAFKA_RESP_ERR_GROUP_SUBSCRIBED_TO_TOPIC);
  EXPECT_EQ(list_offsets("admin-live").size(), 3u);
  auto deleted = delete_offsets("admin-empty", {1});
  EXPECT_FALSE(deleted.contains(-1));
  EXPECT_EQ(deleted[1], RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(list_offsets("admin-empty"), (std::map<int32_t, int64_t>{{0, 5}, {2, 9}}));
  EXPECT_EQ(delete_offsets("no-such-group", {0})[-1], RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND);

  // DeleteGroups: a group with a member is not deleted; an empty one is, with its offsets.
  auto results = delete_groups({"admin-live", "admin-empty", "no-such-group"});
  EXPECT_EQ(results["admin-live"], RD_KAFKA_RESP_ERR_NON_EMPTY_GROUP);
  EXPECT_EQ(results["admin-empty"], RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(results["no-such-group"], RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND);
  EXPECT_TRUE(list_offsets("admin-empty").empty());
  rd_kafka_consumer_close(member.get());
  member.reset();
  EXPECT_EQ(list_groups({})["admin-live"].first, "Empty");
  EXPECT_EQ(delete_groups({"admin-live"})["admin-live"], RD_KAFKA_RESP_ERR_NO_ERROR);
  auto after = list_groups({});
  EXPECT_FALSE(after.contains("admin-live"));
  EXPECT_FALSE(after.contains("admin-empty"));
}

}  // namespace
