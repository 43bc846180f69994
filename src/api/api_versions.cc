// ApiVersions (key 18), v0-v4: the APIs and versions this broker serves.
// v3+ clients send their software name and version, which must match Kafka's
// pattern [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])? or get INVALID_REQUEST.

#include "conveyor/api/api_versions.h"

#include "conveyor/api/api_table.h"

namespace conveyor::api {

namespace {

bool valid_software_field(std::string_view s) {
  if (s.empty()) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
  if (!alnum(s.front()) || !alnum(s.back())) return false;
  for (char c : s) {
    if (!alnum(c) && c != '-' && c != '.') return false;
  }
  return true;
}

void fill_api_keys(protocol::ApiVersionsResponse& response) {
  for (const auto& api : supported_apis()) {
    protocol::ApiVersionsResponse::ApiVersion entry;
    entry.api_key = api.api_key;
    entry.min_version = api.min_version;
    entry.max_version = api.max_version;
    response.api_keys.push_back(entry);
  }
}

}  // namespace

boost::asio::awaitable<protocol::ApiVersionsResponse> handle_api_versions(RequestContext& ctx,
                                                                          protocol::ApiVersionsRequest& request) {
  protocol::ApiVersionsResponse response;
  if (ctx.version() >= 3 &&
      (!valid_software_field(request.client_software_name) || !valid_software_field(request.client_software_version))) {
    response.error_code = protocol::to_wire(protocol::ErrorCode::invalid_request);
    co_return response;
  }
  fill_api_keys(response);
  co_return response;
}

server::ResponseFrame unsupported_api_versions_response(const RequestContext& ctx) {
  protocol::ApiVersionsResponse response;
  response.error_code = protocol::to_wire(protocol::ErrorCode::unsupported_version);
  fill_api_keys(response);
  server::ResponseFrame frame;
  protocol::Writer& w = frame.message;
  w.reserve_int32();
  protocol::ResponseHeader header;
  header.correlation_id = ctx.frame.correlation_id;
  (void)header.encode(w, 0);
  (void)response.encode(w, 0);
  return frame;
}

}  // namespace conveyor::api
