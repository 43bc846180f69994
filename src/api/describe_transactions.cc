// DescribeTransactions (key 65), v0: for operators (kafka-transactions.sh
// describe) — each transactional id's state, producer id and epoch,
// timeout, start time and partitions, asked of the shard coordinating it.
// TRANSACTIONAL_ID_NOT_FOUND for ids the coordinator does not know.

#include "conveyor/api/describe_transactions.h"

#include <map>

#include "conveyor/api/txn_route.h"
#include "conveyor/runtime/run_on.h"

namespace conveyor::api {

boost::asio::awaitable<protocol::DescribeTransactionsResponse> handle_describe_transactions(
    RequestContext& ctx, protocol::DescribeTransactionsRequest& request) {
  protocol::DescribeTransactionsResponse response;
  auto& service = txns(ctx);
  for (const auto& id : request.transactional_ids) {
    protocol::DescribeTransactionsResponse::TransactionState out;
    out.transactional_id = id;
    const auto shard = txn_coordinator_shard(ctx, id);
    if (!shard) {
      out.error_code = protocol::to_wire(protocol::ErrorCode::coordinator_not_available);
      response.transaction_states.push_back(std::move(out));
      continue;
    }
    auto work = [&service, &id] { return service.local().describe(id); };
    const auto described = co_await runtime::run_on(service.shards(), *shard, work);
    out.error_code = protocol::to_wire(described.error);
    if (described.error == protocol::ErrorCode::none) {
      const auto& m = described.metadata;
      out.transaction_state = std::string(txn::to_string(m.state));
      out.transaction_timeout_ms = m.timeout_ms;
      out.transaction_start_time_ms = m.start_timestamp_ms;
      out.producer_id = m.producer_id;
      out.producer_epoch = m.producer_epoch;
      std::map<std::string, std::vector<std::int32_t>> by_topic;
      for (const auto& tp : m.partitions) by_topic[tp.topic].push_back(tp.partition);
      for (auto& [topic, partitions] : by_topic) {
        protocol::DescribeTransactionsResponse::TopicData data;
        data.topic = topic;
        data.partitions = std::move(partitions);
        out.topics.push_back(std::move(data));
      }
    }
    response.transaction_states.push_back(std::move(out));
  }
  co_return response;
}

}  // namespace conveyor::api
