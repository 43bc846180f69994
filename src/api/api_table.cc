// The APIs Conveyor serves and the versions it accepts — the one place that
// says so. Versions start at the schema's lowest (clients pinned to old
// versions keep working, as on Kafka 3.x) — except where those need the old
// magic 0/1 message format — and end at the highest stable one.

#include "conveyor/api/api_table.h"

#include <algorithm>
#include <vector>

#include "conveyor/api/add_offsets_to_txn.h"
#include "conveyor/api/add_partitions_to_txn.h"
#include "conveyor/api/alter_configs.h"
#include "conveyor/api/api_versions.h"
#include "conveyor/api/create_partitions.h"
#include "conveyor/api/create_topics.h"
#include "conveyor/api/delete_records.h"
#include "conveyor/api/delete_groups.h"
#include "conveyor/api/describe_groups.h"
#include "conveyor/api/find_coordinator.h"
#include "conveyor/api/heartbeat.h"
#include "conveyor/api/join_group.h"
#include "conveyor/api/leave_group.h"
#include "conveyor/api/list_groups.h"
#include "conveyor/api/offset_commit.h"
#include "conveyor/api/offset_delete.h"
#include "conveyor/api/offset_fetch.h"
#include "conveyor/api/sync_group.h"
#include "conveyor/api/delete_topics.h"
#include "conveyor/api/describe_cluster.h"
#include "conveyor/api/describe_configs.h"
#include "conveyor/api/describe_log_dirs.h"
#include "conveyor/api/describe_producers.h"
#include "conveyor/api/describe_transactions.h"
#include "conveyor/api/end_txn.h"
#include "conveyor/api/fetch.h"
#include "conveyor/api/incremental_alter_configs.h"
#include "conveyor/api/init_producer_id.h"
#include "conveyor/api/list_offsets.h"
#include "conveyor/api/list_transactions.h"
#include "conveyor/api/metadata.h"
#include "conveyor/api/offset_for_leader_epoch.h"
#include "conveyor/api/produce.h"
#include "conveyor/api/txn_offset_commit.h"
#include "conveyor/api/write_txn_markers.h"

namespace conveyor::api {

namespace {

// `min_version`: where an API's oldest versions need the magic 0/1 message
// format, we start where Apache Kafka 4.0 does (KIP-896) — except Produce,
// which Kafka lists from v0 because librdkafka will not compress for a broker
// that does not (KAFKA-18659); v0-v2 requests carrying magic 0/1 message sets
// get UNSUPPORTED_FOR_MESSAGE_FORMAT until conversion lands.
template <typename Request, auto Fn>
ApiEntry entry(std::int16_t min_version = -1) {
  const auto* schema = protocol::find_api_schema(Request::kApiKey);
  const std::int16_t lowest = std::max(schema->lowest_version, min_version);
  return ApiEntry{Request::kApiKey, lowest, schema->highest_stable_version, &typed_handler<Request, Fn>};
}

const std::vector<ApiEntry>& table() {
  static const std::vector<ApiEntry> apis = [] {
    std::vector<ApiEntry> list = {
        entry<protocol::ProduceRequest, &handle_produce>(),
        entry<protocol::FetchRequest, &handle_fetch>(),
        entry<protocol::ListOffsetsRequest, &handle_list_offsets>(1),
        entry<protocol::MetadataRequest, &handle_metadata>(),
        entry<protocol::DeleteRecordsRequest, &handle_delete_records>(),
        entry<protocol::OffsetForLeaderEpochRequest, &handle_offset_for_leader_epoch>(2),
        entry<protocol::ApiVersionsRequest, &handle_api_versions>(),
        entry<protocol::CreateTopicsRequest, &handle_create_topics>(),
        entry<protocol::DeleteTopicsRequest, &handle_delete_topics>(),
        entry<protocol::CreatePartitionsRequest, &handle_create_partitions>(),
        entry<protocol::DescribeConfigsRequest, &handle_describe_configs>(),
        entry<protocol::AlterConfigsRequest, &handle_alter_configs>(),
        entry<protocol::IncrementalAlterConfigsRequest, &handle_incremental_alter_configs>(),
        entry<protocol::DescribeClusterRequest, &handle_describe_cluster>(),
        entry<protocol::DescribeLogDirsRequest, &handle_describe_log_dirs>(1),
        // Consumer groups (Kafka's classic protocol; group/group_coordinator.h).
        entry<protocol::FindCoordinatorRequest, &handle_find_coordinator>(),
        entry<protocol::JoinGroupRequest, &handle_join_group>(),
        entry<protocol::SyncGroupRequest, &handle_sync_group>(),
        entry<protocol::HeartbeatRequest, &handle_heartbeat>(),
        entry<protocol::LeaveGroupRequest, &handle_leave_group>(),
        entry<protocol::OffsetCommitRequest, &handle_offset_commit>(),
        entry<protocol::OffsetFetchRequest, &handle_offset_fetch>(),
        entry<protocol::DescribeGroupsRequest, &handle_describe_groups>(),
        entry<protocol::ListGroupsRequest, &handle_list_groups>(),
        entry<protocol::DeleteGroupsRequest, &handle_delete_groups>(),
        entry<protocol::OffsetDeleteRequest, &handle_offset_delete>(),
        // Idempotent producers (log/producer_state.h).
        entry<protocol::InitProducerIdRequest, &handle_init_producer_id>(),
        entry<protocol::DescribeProducersRequest, &handle_describe_producers>(),
        // Transactions (log/partition_log.h: markers, LSO, aborted index).
        entry<protocol::WriteTxnMarkersRequest, &handle_write_txn_markers>(),
        entry<protocol::TxnOffsetCommitRequest, &handle_txn_offset_commit>(),
        // The transaction coordinator (txn/txn_coordinator.h).
        entry<protocol::AddPartitionsToTxnRequest, &handle_add_partitions_to_txn>(),
        entry<protocol::AddOffsetsToTxnRequest, &handle_add_offsets_to_txn>(),
        entry<protocol::EndTxnRequest, &handle_end_txn>(),
        entry<protocol::DescribeTransactionsRequest, &handle_describe_transactions>(),
        entry<protocol::ListTransactionsRequest, &handle_list_transactions>(),
    };
    std::sort(list.begin(), list.end(), [](const ApiEntry& a, const ApiEntry& b) { return a.api_key < b.api_key; });
    return list;
  }();
  return apis;
}

}  // namespace

std::span<const ApiEntry> supported_apis() { return table(); }

const ApiEntry* find_api(std::int16_t api_key) {
  for (const auto& api : table()) {
    if (api.api_key == api_key) return &api;
  }
  return nullptr;
}

}  // namespace conveyor::api
