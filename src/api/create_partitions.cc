// CreatePartitions (key 37), v0-v3: raise a topic's partition count.

#include "conveyor/api/create_partitions.h"

#include <set>

namespace conveyor::api {

using protocol::CreatePartitionsResponse;
using protocol::ErrorCode;

boost::asio::awaitable<CreatePartitionsResponse> handle_create_partitions(
    RequestContext& ctx, protocol::CreatePartitionsRequest& request) {
  CreatePartitionsResponse response;
  std::set<std::string> seen;
  for (const auto& t : request.topics) {
    CreatePartitionsResponse::CreatePartitionsTopicResult result;
    result.name = t.name;
    if (!seen.insert(t.name).second) {
      result.error_code = protocol::to_wire(ErrorCode::invalid_request);
      result.error_message = "Duplicate topic in request.";
      response.results.push_back(std::move(result));
      continue;
    }
    std::vector<std::vector<std::int32_t>> assignments;
    if (t.assignments) {
      for (const auto& a : *t.assignments) assignments.push_back(a.broker_ids);
    }
    auto changed = co_await ctx.broker.create_partitions(t.name, t.count, std::move(assignments),
                                                         request.validate_only);
    result.error_code = protocol::to_wire(changed.error);
    if (changed.error != ErrorCode::none) result.error_message = changed.message;
    response.results.push_back(std::move(result));
  }
  co_return response;
}

}  // namespace conveyor::api
