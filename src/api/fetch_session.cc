#include "conveyor/api/fetch_session.h"

#include <algorithm>

#include "conveyor/runtime/shard_set.h"

namespace conveyor::api {

FetchSession::FetchSession(std::int32_t id, std::vector<FetchTarget> targets)
    : id_(id), targets_(std::move(targets)), sent_(targets_.size()) {}

void FetchSession::advance_epoch() {
  // Epochs run 1..INT32_MAX and wrap to 1 (0 and -1 mean "new" and "close").
  next_epoch_ = next_epoch_ == INT32_MAX ? 1 : next_epoch_ + 1;
}

void FetchSession::update(const std::vector<FetchTarget>& changed, const std::vector<FetchTarget>& forgotten) {
  for (const auto& target : changed) {
    auto it = std::find_if(targets_.begin(), targets_.end(),
                           [&](const FetchTarget& t) { return t.same_partition(target); });
    if (it == targets_.end()) {
      targets_.push_back(target);
      sent_.emplace_back();
    } else {
      *it = target;
    }
  }
  for (const auto& gone : forgotten) {
    for (std::size_t i = 0; i < targets_.size(); ++i) {
      if (targets_[i].same_partition(gone)) {
        targets_.erase(targets_.begin() + static_cast<std::ptrdiff_t>(i));
        sent_.erase(sent_.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      }
    }
  }
}

FetchSessionCache& FetchSessionCache::local() {
  // Shard threads are fixed for the life of the process: thread-local is per shard.
  thread_local FetchSessionCache cache;
  return cache;
}

std::int32_t FetchSessionCache::next_id() {
  // Low 6 bits: the shard; the rest a sequence. Never 0 (0 means "no session").
  const std::uint32_t shard = runtime::ShardSet::current() & 0x3f;
  for (;;) {
    sequence_ = (sequence_ + 1) & 0x01ffffff;
    const auto id = static_cast<std::int32_t>((sequence_ << 6) | shard);
    if (id != 0 && !sessions_.contains(id)) return id;
  }
}

std::shared_ptr<FetchSession> FetchSessionCache::find(std::int32_t id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return nullptr;
  recency_.splice(recency_.begin(), recency_, it->second.position);
  return it->second.session;
}

std::shared_ptr<FetchSession> FetchSessionCache::create(std::vector<FetchTarget> targets) {
  while (sessions_.size() >= slots_ && !recency_.empty()) {
    sessions_.erase(recency_.back());
    recency_.pop_back();
  }
  const std::int32_t id = next_id();
  auto session = std::make_shared<FetchSession>(id, std::move(targets));
  recency_.push_front(id);
  sessions_.emplace(id, Entry{session, recency_.begin()});
  return session;
}

void FetchSessionCache::remove(std::int32_t id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  recency_.erase(it->second.position);
  sessions_.erase(it);
}

}  // namespace conveyor::api
