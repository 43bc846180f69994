// The APIs Conveyor serves and the versions it accepts — the one place that
// says so. Versions start at the schema's lowest (clients pinned to old
// versions keep working, as on Kafka 3.x) and end at the highest stable one.

#include "conveyor/api/api_table.h"

#include <algorithm>
#include <vector>

#include "conveyor/api/alter_configs.h"
#include "conveyor/api/api_versions.h"
#include "conveyor/api/create_partitions.h"
#include "conveyor/api/create_topics.h"
#include "conveyor/api/delete_topics.h"
#include "conveyor/api/describe_cluster.h"
#include "conveyor/api/describe_configs.h"
#include "conveyor/api/incremental_alter_configs.h"
#include "conveyor/api/metadata.h"

namespace conveyor::api {

namespace {

template <typename Request, auto Fn>
ApiEntry entry() {
  const auto* schema = protocol::find_api_schema(Request::kApiKey);
  return ApiEntry{Request::kApiKey, schema->lowest_version, schema->highest_stable_version,
                  &typed_handler<Request, Fn>};
}

const std::vector<ApiEntry>& table() {
  static const std::vector<ApiEntry> apis = [] {
    std::vector<ApiEntry> list = {
        entry<protocol::MetadataRequest, &handle_metadata>(),
        entry<protocol::ApiVersionsRequest, &handle_api_versions>(),
        entry<protocol::CreateTopicsRequest, &handle_create_topics>(),
        entry<protocol::DeleteTopicsRequest, &handle_delete_topics>(),
        entry<protocol::CreatePartitionsRequest, &handle_create_partitions>(),
        entry<protocol::DescribeConfigsRequest, &handle_describe_configs>(),
        entry<protocol::AlterConfigsRequest, &handle_alter_configs>(),
        entry<protocol::IncrementalAlterConfigsRequest, &handle_incremental_alter_configs>(),
        entry<protocol::DescribeClusterRequest, &handle_describe_cluster>(),
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
