#include "conveyor/group/group.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "conveyor/protocol/messages/consumer_protocol_subscription.h"
#include "conveyor/protocol/wire_reader.h"

namespace conveyor::group {

std::string_view to_string(GroupState state) {
  switch (state) {
    case GroupState::empty: return "Empty";
    case GroupState::preparing_rebalance: return "PreparingRebalance";
    case GroupState::completing_rebalance: return "CompletingRebalance";
    case GroupState::stable: return "Stable";
    case GroupState::dead: return "Dead";
  }
  return "Dead";
}

std::optional<GroupState> parse_group_state(std::string_view name) {
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  const std::string wanted = lower(name);
  for (auto state : {GroupState::empty, GroupState::preparing_rebalance, GroupState::completing_rebalance,
                     GroupState::stable, GroupState::dead}) {
    if (lower(to_string(state)) == wanted) return state;
  }
  return std::nullopt;
}

const Bytes* Member::metadata_for(std::string_view protocol) const {
  for (const auto& p : protocols) {
    if (p.name == protocol) return &p.metadata;
  }
  return nullptr;
}

bool Member::same_protocols(const std::vector<Protocol>& other) const {
  if (other.size() != protocols.size()) return false;
  for (std::size_t i = 0; i < other.size(); ++i) {
    if (other[i].name != protocols[i].name || other[i].metadata != protocols[i].metadata) return false;
  }
  return true;
}

Member* Group::find(std::string_view member_id) {
  for (auto& m : members) {
    if (m->member_id == member_id) return m.get();
  }
  return nullptr;
}

bool Group::all_joined() const {
  if (!pending_members.empty()) return false;
  return std::all_of(members.begin(), members.end(), [](const auto& m) { return m->awaiting_join != nullptr; });
}

std::int32_t Group::max_rebalance_timeout_ms() const {
  std::int32_t timeout = 0;
  for (const auto& m : members) timeout = std::max(timeout, m->rebalance_timeout_ms);
  return timeout;
}

bool Group::supports(std::string_view type, const std::vector<Protocol>& offered) const {
  if (type.empty() || offered.empty()) return false;
  if (members.empty()) return true;
  if (type != protocol_type) return false;
  for (const auto& p : offered) {
    const bool everyone = std::all_of(members.begin(), members.end(),
                                      [&](const auto& m) { return m->metadata_for(p.name) != nullptr; });
    if (everyone) return true;
  }
  return false;
}

std::optional<std::string> Group::select_protocol() const {
  if (members.empty()) return std::nullopt;
  std::vector<std::string> candidates;
  for (const auto& p : members.front()->protocols) {
    const bool everyone = std::all_of(members.begin(), members.end(),
                                      [&](const auto& m) { return m->metadata_for(p.name) != nullptr; });
    if (everyone) candidates.push_back(p.name);
  }
  if (candidates.empty()) return std::nullopt;
  std::map<std::string, int> votes;
  for (const auto& m : members) {
    for (const auto& p : m->protocols) {
      if (std::find(candidates.begin(), candidates.end(), p.name) != candidates.end()) {
        ++votes[p.name];
        break;
      }
    }
  }
  std::string best = candidates.front();
  for (const auto& c : candidates) {
    if (votes[c] > votes[best]) best = c;
  }
  return best;
}

std::vector<std::string> Group::subscribed_topics() const {
  std::set<std::string> topics;
  if (protocol_type != "consumer" || !protocol) return {};
  for (const auto& m : members) {
    const Bytes* metadata = m->metadata_for(*protocol);
    if (metadata == nullptr) continue;
    protocol::Reader reader(*metadata);
    const std::int16_t version = reader.read_int16();
    if (!reader.ok() || version < 0) continue;
    protocol::ConsumerProtocolSubscription subscription;
    const std::int16_t readable = std::min<std::int16_t>(version, protocol::ConsumerProtocolSubscription::kHighestVersion);
    // Newer versions only append fields: read what we know, ignore the rest.
    subscription.decode_from(reader, readable);
    for (auto& t : subscription.topics) topics.insert(t);
  }
  return {topics.begin(), topics.end()};
}

GroupValue Group::to_value(std::int64_t now_ms) const {
  GroupValue value;
  value.protocol_type = protocol_type;
  value.generation = generation;
  value.protocol = protocol;
  if (!leader.empty()) value.leader = leader;
  value.state_timestamp = now_ms;
  for (const auto& m : members) {
    StoredMember stored;
    stored.member_id = m->member_id;
    stored.group_instance_id = m->group_instance_id;
    stored.client_id = m->client_id;
    stored.client_host = m->client_host;
    stored.rebalance_timeout_ms = m->rebalance_timeout_ms;
    stored.session_timeout_ms = m->session_timeout_ms;
    if (protocol) {
      if (const Bytes* metadata = m->metadata_for(*protocol)) stored.subscription = *metadata;
    }
    stored.assignment = m->assignment;
    value.members.push_back(std::move(stored));
  }
  return value;
}

}  // namespace conveyor::group
