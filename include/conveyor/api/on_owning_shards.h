#pragma once
// The shape every partition-level handler shares: items grouped by the shard
// that owns their partition, one call per shard, all shards at once
// (runtime::fan_out), and the outcomes laid out like the input —
// outcomes[shard][i] belongs to by_shard[shard][i].
//
// `work(broker, items)` runs on the owning shard and returns
// awaitable<std::vector<Out>> with one outcome per item.

#include <boost/asio/awaitable.hpp>
#include <vector>

#include "conveyor/broker/broker.h"
#include "conveyor/runtime/fan_out.h"

namespace conveyor::api {

template <typename Out, typename Item, typename Work>
boost::asio::awaitable<std::vector<std::vector<Out>>> on_owning_shards(broker::Broker& broker,
                                                                      const std::vector<std::vector<Item>>& by_shard,
                                                                      Work work) {
  std::vector<runtime::ShardCall<std::vector<Out>>> calls;
  std::vector<runtime::ShardId> shards;
  for (runtime::ShardId shard = 0; shard < by_shard.size(); ++shard) {
    if (by_shard[shard].empty()) continue;
    const auto* items = &by_shard[shard];
    auto call = [&broker, items, work]() { return work(broker, *items); };
    calls.push_back({shard, std::move(call)});
    shards.push_back(shard);
  }
  auto results = co_await runtime::fan_out(broker.shards(), std::move(calls));
  std::vector<std::vector<Out>> outcomes(by_shard.size());
  for (std::size_t i = 0; i < shards.size(); ++i) outcomes[shards[i]] = std::move(results[i]);
  co_return outcomes;
}

}  // namespace conveyor::api
