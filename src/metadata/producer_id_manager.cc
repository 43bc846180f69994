#include "conveyor/metadata/producer_id_manager.h"

#include "conveyor/metadata/controller.h"

namespace conveyor::metadata {

Result<std::int64_t, std::string> ProducerIdManager::next() {
  if (next_ == block_end_) {
    auto first = controller_.allocate_producer_ids(broker_id_, kBlockSize);
    if (!first) return Unexpected{first.error()};
    next_ = first.value();
    block_end_ = next_ + kBlockSize;
  }
  return next_++;
}

}  // namespace conveyor::metadata
