#include "conveyor/protocol/records.h"

#include <algorithm>

namespace conveyor::protocol {

Records Records::view(std::span<const std::uint8_t> bytes, std::shared_ptr<const void> owner) {
  Records r;
  r.kind_ = Kind::memory;
  r.bytes_ = bytes;
  r.owner_ = std::move(owner);
  return r;
}

Records Records::owned(std::vector<std::uint8_t> bytes) {
  auto holder = std::make_shared<const std::vector<std::uint8_t>>(std::move(bytes));
  std::span<const std::uint8_t> view(holder->data(), holder->size());
  return Records::view(view, std::move(holder));
}

Records Records::file(FileSlice slice) {
  Records r;
  r.kind_ = Kind::file;
  r.file_ = std::move(slice);
  return r;
}

bool Records::operator==(const Records& other) const {
  if (kind_ != other.kind_) return false;
  switch (kind_) {
    case Kind::null:
      return true;
    case Kind::memory:
      return std::equal(bytes_.begin(), bytes_.end(), other.bytes_.begin(), other.bytes_.end());
    case Kind::file:
      return file_.file == other.file_.file && file_.position == other.file_.position &&
             file_.size == other.file_.size;
  }
  return false;
}

}  // namespace conveyor::protocol
