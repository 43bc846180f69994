// WriteTxnMarkers (key 27), v0-v1: in Kafka the transaction coordinator
// sends it to each partition leader to end a transaction there. Conveyor's
// own coordinator writes markers through broker::write_txn_markers directly;
// this handler serves the same operation on the wire for operator tools and
// the protocol tests (a future multi-broker coordinator will send it too).
// Each marker is appended and made durable before the answer.

#include "conveyor/api/write_txn_markers.h"

#include "conveyor/broker/txn_markers.h"

namespace conveyor::api {

boost::asio::awaitable<protocol::WriteTxnMarkersResponse> handle_write_txn_markers(
    RequestContext& ctx, protocol::WriteTxnMarkersRequest& request) {
  using Response = protocol::WriteTxnMarkersResponse;
  Response response;
  for (const auto& marker : request.markers) {
    std::vector<broker::MarkerTarget> targets;
    for (const auto& topic : marker.topics) {
      for (const auto partition : topic.partition_indexes) targets.push_back({topic.name, partition});
    }
    const log::TxnMarker txn_marker{marker.producer_id, marker.producer_epoch, marker.coordinator_epoch,
                                    marker.transaction_result};
    const auto errors = co_await broker::write_txn_markers(ctx.broker, targets, txn_marker);
    Response::WritableTxnMarkerResult result;
    result.producer_id = marker.producer_id;
    std::size_t next = 0;
    for (const auto& topic : marker.topics) {
      Response::WritableTxnMarkerTopicResult topic_result;
      topic_result.name = topic.name;
      for (const auto partition : topic.partition_indexes) {
        Response::WritableTxnMarkerPartitionResult partition_result;
        partition_result.partition_index = partition;
        partition_result.error_code = protocol::to_wire(errors[next++]);
        topic_result.partitions.push_back(partition_result);
      }
      result.topics.push_back(std::move(topic_result));
    }
    response.markers.push_back(std::move(result));
  }
  co_return response;
}

}  // namespace conveyor::api
