#pragma once
#include "conveyor/api/handler.h"
#include "conveyor/protocol/messages/delete_records_request.h"
#include "conveyor/protocol/messages/delete_records_response.h"

namespace conveyor::api {
boost::asio::awaitable<protocol::DeleteRecordsResponse> handle_delete_records(RequestContext& ctx,
                                                                              protocol::DeleteRecordsRequest& request);
}
