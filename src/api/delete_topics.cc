// DeleteTopics (key 20), v0-v6: by name, or (v6+) by topic id. The topic
// disappears from metadata at once; its partition directories are renamed
// and removed in the background by the log manager.

#include "conveyor/api/delete_topics.h"

namespace conveyor::api {

using protocol::DeleteTopicsResponse;
using protocol::ErrorCode;

boost::asio::awaitable<DeleteTopicsResponse> handle_delete_topics(RequestContext& ctx,
                                                                  protocol::DeleteTopicsRequest& request) {
  struct Target {
    std::optional<std::string> name;
    protocol::Uuid id;
  };
  std::vector<Target> targets;
  if (ctx.version() >= 6) {
    for (const auto& t : request.topics) targets.push_back({t.name, t.topic_id});
  } else {
    for (const auto& name : request.topic_names) targets.push_back({name, {}});
  }

  DeleteTopicsResponse response;
  for (const auto& target : targets) {
    DeleteTopicsResponse::DeletableTopicResult result;
    result.name = target.name;
    result.topic_id = target.id;
    std::string name;
    if (target.name) {
      name = *target.name;
    } else if (auto topic = ctx.broker.image().topic(target.id)) {
      name = topic->name;
      result.name = name;
    } else {
      result.error_code = protocol::to_wire(ErrorCode::unknown_topic_id);
      response.responses.push_back(std::move(result));
      continue;
    }
    auto deleted = co_await ctx.broker.delete_topic(name);
    result.error_code = protocol::to_wire(deleted.error);
    if (deleted.error == ErrorCode::none) {
      result.topic_id = deleted.topic_id;
    } else if (ctx.version() >= 5) {
      result.error_message = deleted.message;
    }
    response.responses.push_back(std::move(result));
  }
  co_return response;
}

}  // namespace conveyor::api
