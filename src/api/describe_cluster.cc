// DescribeCluster (key 60), v0-v1: cluster id, controller and brokers, as
// admin clients use in place of Metadata.

#include "conveyor/api/describe_cluster.h"

namespace conveyor::api {

boost::asio::awaitable<protocol::DescribeClusterResponse> handle_describe_cluster(
    RequestContext& ctx, protocol::DescribeClusterRequest& request) {
  protocol::DescribeClusterResponse response;
  constexpr std::int8_t kBrokerEndpoints = 1;
  if (ctx.version() >= 1 && request.endpoint_type != kBrokerEndpoints) {
    response.error_code = protocol::to_wire(protocol::ErrorCode::unsupported_endpoint_type);
    response.error_message = "Only broker endpoints are served here.";
    response.endpoint_type = request.endpoint_type;
    co_return response;
  }
  auto image = ctx.broker.image_ptr();
  response.cluster_id = image->cluster_id();
  response.controller_id = image->controller_id();
  for (const auto& b : image->brokers()) {
    protocol::DescribeClusterResponse::DescribeClusterBroker broker;
    broker.broker_id = b.node_id;
    broker.host = b.host;
    broker.port = b.port;
    broker.rack = b.rack;
    response.brokers.push_back(std::move(broker));
  }
  if (request.include_cluster_authorized_operations) {
    response.cluster_authorized_operations = (1 << 4) | (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) |
                                             (1 << 11) | (1 << 12);
  }
  co_return response;
}

}  // namespace conveyor::api
