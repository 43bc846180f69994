#include "conveyor/log/producer_state.h"

#include <algorithm>

namespace conveyor::log {

namespace {

constexpr std::int16_t kNoEpoch = -1;

bool in_sequence(std::int32_t last_sequence, std::int32_t next_sequence) {
  return static_cast<std::int64_t>(next_sequence) == static_cast<std::int64_t>(last_sequence) + 1 ||
         (next_sequence == 0 && last_sequence == INT32_MAX);
}

ProducerBatch batch_written(const protocol::RecordBatchHeader& batch, std::int64_t first_offset) {
  return ProducerBatch{batch.base_sequence, advance_sequence(batch.base_sequence, batch.last_offset_delta),
                       first_offset, first_offset + batch.last_offset_delta, batch.max_timestamp};
}

}  // namespace

std::int32_t advance_sequence(std::int32_t sequence, std::int32_t increment) {
  if (sequence > INT32_MAX - increment) return increment - (INT32_MAX - sequence) - 1;
  return sequence + increment;
}

const ProducerEntry* ProducerStateTable::find(std::int64_t producer_id) const {
  auto it = entries_.find(producer_id);
  return it == entries_.end() ? nullptr : &it->second;
}

void ProducerStateTable::record(ProducerEntry& entry, const protocol::RecordBatchHeader& batch,
                                std::int64_t first_offset) {
  if (batch.producer_epoch != entry.epoch) {
    // A new epoch starts a new sequence: the old batches can no longer be retried.
    entry.epoch = batch.producer_epoch;
    entry.batches.clear();
  }
  if (entry.batches.size() == kBatchesKept) entry.batches.erase(entry.batches.begin());
  entry.batches.push_back(batch_written(batch, first_offset));
  entry.last_timestamp = batch.max_timestamp;
  if (batch.is_transactional() && entry.current_txn_first_offset < 0) entry.current_txn_first_offset = first_offset;
}

void ProducerStateTable::put(std::int64_t producer_id, ProducerEntry entry) {
  auto [it, inserted] = entries_.try_emplace(producer_id);
  if (!inserted && it->second.current_txn_first_offset >= 0) {
    open_transactions_.erase({it->second.current_txn_first_offset, producer_id});
  }
  if (entry.current_txn_first_offset >= 0) open_transactions_.insert({entry.current_txn_first_offset, producer_id});
  it->second = std::move(entry);
}

void ProducerStateTable::restore(std::int64_t producer_id, ProducerEntry entry) { put(producer_id, std::move(entry)); }

void ProducerStateTable::replay(const protocol::RecordBatchHeader& batch, std::int64_t first_offset) {
  if (!batch.has_producer_id() || batch.is_control()) return;
  const ProducerEntry* known = find(batch.producer_id);
  ProducerEntry entry = known != nullptr ? *known : ProducerEntry{};
  record(entry, batch, first_offset);
  put(batch.producer_id, std::move(entry));
}

Result<std::optional<std::int64_t>, LogError> ProducerStateTable::end_transaction(std::int64_t producer_id,
                                                                                   std::int16_t epoch,
                                                                                   std::int32_t coordinator_epoch,
                                                                                   std::int64_t timestamp) {
  const ProducerEntry* known = find(producer_id);
  ProducerEntry entry = known != nullptr ? *known : ProducerEntry{};
  if (epoch < entry.epoch) return Unexpected{LogError::invalid_producer_epoch};
  if (epoch != entry.epoch) {
    entry.epoch = epoch;
    entry.batches.clear();
  }
  std::optional<std::int64_t> began;
  if (entry.current_txn_first_offset >= 0) began = entry.current_txn_first_offset;
  entry.current_txn_first_offset = -1;
  entry.coordinator_epoch = coordinator_epoch;
  entry.last_timestamp = timestamp;
  put(producer_id, std::move(entry));
  return began;
}

std::optional<std::int64_t> ProducerStateTable::first_open_transaction() const {
  if (open_transactions_.empty()) return std::nullopt;
  return open_transactions_.begin()->first;
}

std::size_t ProducerStateTable::expire(std::int64_t now_ms, std::int64_t expiration_ms) {
  // Producers in a transaction stay: the transaction coordinator ends it.
  return std::erase_if(entries_, [&](const auto& item) {
    const ProducerEntry& entry = item.second;
    return entry.current_txn_first_offset < 0 && now_ms - entry.last_timestamp >= expiration_ms;
  });
}

const ProducerEntry* ProducerAppend::current(std::int64_t producer_id) const {
  for (const auto& [id, entry] : staged_) {
    if (id == producer_id) return &entry;
  }
  return table_.find(producer_id);
}

Result<std::optional<ProducerBatch>, LogError> ProducerAppend::add(const protocol::RecordBatchHeader& batch,
                                                                   std::int64_t first_offset, bool from_coordinator) {
  if (!batch.has_producer_id()) return std::optional<ProducerBatch>{};
  const ProducerEntry* known = current(batch.producer_id);
  const ProducerEntry empty;
  const ProducerEntry& entry = known != nullptr ? *known : empty;
  if (from_coordinator) {
    if (batch.producer_epoch < entry.epoch) return Unexpected{LogError::invalid_producer_epoch};
    ProducerEntry& updated = stage(batch.producer_id, entry);
    if (batch.producer_epoch != updated.epoch) {
      updated.epoch = batch.producer_epoch;
      updated.batches.clear();
    }
    if (batch.is_transactional() && updated.current_txn_first_offset < 0) updated.current_txn_first_offset = first_offset;
    return std::optional<ProducerBatch>{};
  }
  if (batch.producer_epoch < 0 || batch.base_sequence < 0) return Unexpected{LogError::invalid_record};

  if (batch.producer_epoch == entry.epoch) {
    const std::int32_t last_sequence = advance_sequence(batch.base_sequence, batch.last_offset_delta);
    for (const auto& kept : entry.batches) {
      if (kept.first_sequence == batch.base_sequence && kept.last_sequence == last_sequence) return std::optional<ProducerBatch>(kept);
    }
  }
  if (batch.producer_epoch < entry.epoch) return Unexpected{LogError::invalid_producer_epoch};
  // A producer with a transaction open here writes only transactional
  // batches until its marker (Kafka: InvalidTxnStateException).
  if (!batch.is_transactional() && entry.current_txn_first_offset >= 0) return Unexpected{LogError::invalid_txn_state};
  if (batch.producer_epoch != entry.epoch) {
    if (batch.base_sequence != 0 && entry.epoch != kNoEpoch) return Unexpected{LogError::out_of_order_sequence};
  } else if (!in_sequence(entry.last_sequence(), batch.base_sequence)) {
    return Unexpected{LogError::out_of_order_sequence};
  }

  ProducerStateTable::record(stage(batch.producer_id, entry), batch, first_offset);
  return std::optional<ProducerBatch>{};
}

ProducerEntry& ProducerAppend::stage(std::int64_t producer_id, const ProducerEntry& current) {
  auto staged = std::find_if(staged_.begin(), staged_.end(), [&](const auto& item) { return item.first == producer_id; });
  if (staged != staged_.end()) return staged->second;
  staged_.emplace_back(producer_id, current);
  return staged_.back().second;
}

void ProducerAppend::commit(ProducerStateTable& table) && {
  for (auto& [id, entry] : staged_) table.put(id, std::move(entry));
}

}  // namespace conveyor::log
