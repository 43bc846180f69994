// ListTransactions (key 66), v0-v1: for operators (kafka-transactions.sh
// list) — the transactional ids of every coordinator shard, filtered by
// state (Kafka's names; unknown ones are reported back), producer id and,
// v1+, by how long the transaction has been open. COORDINATOR_LOAD_IN_PROGRESS
// while a __transaction_state partition is still loading.

#include "conveyor/api/list_transactions.h"

#include "conveyor/api/txn_route.h"
#include "conveyor/base/wall_clock.h"
#include "conveyor/runtime/fan_out.h"

namespace conveyor::api {

boost::asio::awaitable<protocol::ListTransactionsResponse> handle_list_transactions(
    RequestContext& ctx, protocol::ListTransactionsRequest& request) {
  protocol::ListTransactionsResponse response;
  txn::ListFilter filter;
  for (const auto& name : request.state_filters) {
    if (auto state = txn::parse_txn_state(name)) {
      filter.states.insert(*state);
    } else {
      response.unknown_state_filters.push_back(name);
    }
  }
  // Only unknown states asked for: nothing can match (Kafka does the same).
  if (!request.state_filters.empty() && filter.states.empty()) co_return response;
  filter.producer_ids.insert(request.producer_id_filters.begin(),
                             request.producer_id_filters.end());
  if (ctx.version() >= 1) filter.min_duration_ms = request.duration_filter;

  auto& service = txns(ctx);
  std::vector<runtime::ShardCall<txn::ListResult>> calls;
  for (runtime::ShardId shard = 0; shard < service.shards().size(); ++shard) {
    auto call = [&service, filter]() -> boost::asio::awaitable<txn::ListResult> {
      co_return service.local().list(filter, wall_clock_ms());
    };
    calls.push_back({shard, std::move(call)});
  }
  auto listed = co_await runtime::fan_out(service.shards(), std::move(calls));
  for (auto& shard_result : listed) {
    if (shard_result.error != protocol::ErrorCode::none) {
      response.error_code = protocol::to_wire(shard_result.error);
      response.transaction_states.clear();
      co_return response;
    }
    for (auto& t : shard_result.transactions) {
      protocol::ListTransactionsResponse::TransactionState out;
      out.transactional_id = std::move(t.transactional_id);
      out.producer_id = t.producer_id;
      out.transaction_state = std::string(txn::to_string(t.state));
      response.transaction_states.push_back(std::move(out));
    }
  }
  co_return response;
}

}  // namespace conveyor::api
