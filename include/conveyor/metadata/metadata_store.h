#pragma once
// MetadataStore: where the metadata log lives. The controller appends the
// records of each change (durably: the call returns after they are on disk)
// and reads them all back at start. The broker's implementation keeps them in
// a partition log (`__cluster_metadata-0`, as KRaft does); tests use memory.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "conveyor/base/result.h"

namespace conveyor::metadata {

struct StoredRecord {
  std::int64_t offset;
  std::vector<std::uint8_t> bytes;
};

class MetadataStore {
 public:
  virtual ~MetadataStore() = default;
  virtual Result<std::vector<StoredRecord>, std::string> read_all() = 0;
  // Appends `records` atomically and durably; returns the offset of the first.
  virtual Result<std::int64_t, std::string> append(const std::vector<std::vector<std::uint8_t>>& records) = 0;
};

// For tests and tools: keeps records in memory.
class MemoryMetadataStore final : public MetadataStore {
 public:
  Result<std::vector<StoredRecord>, std::string> read_all() override { return records_; }
  Result<std::int64_t, std::string> append(const std::vector<std::vector<std::uint8_t>>& records) override {
    const auto first = static_cast<std::int64_t>(records_.size());
    for (const auto& r : records) records_.push_back({static_cast<std::int64_t>(records_.size()), r});
    return first;
  }

 private:
  std::vector<StoredRecord> records_;
};

}  // namespace conveyor::metadata
