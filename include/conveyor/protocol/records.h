#pragma once
// Records: the opaque `records` field of Produce and Fetch. The codec never
// looks inside (the log parses batches); it only moves the bytes, without
// copying them:
//   - decoded from a request, Records is a view into the request frame and
//     keeps that frame alive through `owner`;
//   - in a Fetch response, Records is a range of a segment file that the
//     server sends with sendfile (a FileSlice), or bytes in memory (for
//     down-converted batches).
// A null Records (the default) is written as length -1; an empty one as 0.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "conveyor/base/file_handle.h"

namespace conveyor::protocol {

struct FileSlice {
  std::shared_ptr<const FileHandle> file;
  std::uint64_t position = 0;
  std::uint32_t size = 0;
};

class Records {
 public:
  Records() = default;  // null

  // A view of bytes owned by `owner` (which may be null when the caller
  // guarantees the bytes outlive every copy of this Records).
  static Records view(std::span<const std::uint8_t> bytes, std::shared_ptr<const void> owner);
  // Takes ownership of `bytes`.
  static Records owned(std::vector<std::uint8_t> bytes);
  static Records empty() { return view({}, nullptr); }
  static Records file(FileSlice slice);

  bool is_null() const { return kind_ == Kind::null; }
  bool in_memory() const { return kind_ == Kind::memory; }
  bool is_file() const { return kind_ == Kind::file; }
  std::size_t size() const { return kind_ == Kind::file ? file_.size : bytes_.size(); }

  // The bytes, for in-memory records (empty for null and file records).
  std::span<const std::uint8_t> bytes() const { return bytes_; }
  const std::shared_ptr<const void>& owner() const { return owner_; }
  const FileSlice& file_slice() const { return file_; }

  // Content equality for in-memory records; file records compare by range.
  bool operator==(const Records& other) const;

 private:
  enum class Kind : std::uint8_t { null, memory, file };
  Kind kind_ = Kind::null;
  std::span<const std::uint8_t> bytes_;
  std::shared_ptr<const void> owner_;
  FileSlice file_;
};

}  // namespace conveyor::protocol
