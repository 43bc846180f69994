#include "conveyor/server/memory_budget.h"

namespace conveyor::server {

boost::asio::awaitable<void> MemoryBudget::acquire(std::size_t bytes) {
  while (!fits(bytes)) co_await released_.wait();
  in_use_ += bytes;
}

void MemoryBudget::release(std::size_t bytes) {
  in_use_ -= bytes;
  released_.notify_all();
}

}  // namespace conveyor::server
