#pragma once
// ProducerIdManager: hands out producer ids (InitProducerId) from blocks the
// controller reserves durably in the metadata log (ProducerIdsRecord), so
// ids are unique across restarts: a restart abandons the rest of its block
// rather than risk handing an id out twice. Kafka reserves blocks of 1000.
//
// Not thread-safe: lives on the controller's shard; callers hop there.

#include <cstdint>
#include <string>

#include "conveyor/base/result.h"

namespace conveyor::metadata {

class Controller;

class ProducerIdManager {
 public:
  static constexpr std::int64_t kBlockSize = 1000;

  ProducerIdManager(metadata::Controller& controller, std::int32_t broker_id)
      : controller_(controller), broker_id_(broker_id) {}

  // The next unused id; reserves a new block (one durable metadata write)
  // when the current one is used up.
  Result<std::int64_t, std::string> next();

 private:
  metadata::Controller& controller_;
  std::int32_t broker_id_;
  std::int64_t next_ = 0;
  std::int64_t block_end_ = 0;  // next_ == block_end_: no block
};

}  // namespace conveyor::metadata
