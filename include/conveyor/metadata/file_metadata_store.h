#pragma once
// FileMetadataStore: the metadata log as one append-only file,
// `<first log dir>/cluster-metadata.log`. Each record is framed as
//
//   uint32 length (big-endian) | uint32 crc32c of the payload | payload
//
// and every append is fdatasync'd before it returns, so an acknowledged
// metadata change (a created topic) survives a crash. On open, a torn or
// corrupt tail — a crash in the middle of an append — is cut off at the last
// whole record. Metadata changes are rare and small; one file is enough on a
// single node (a cluster will replicate these records with Raft).

#include <memory>
#include <string>

#include "conveyor/base/file_handle.h"
#include "conveyor/metadata/metadata_store.h"

namespace conveyor::metadata {

class FileMetadataStore final : public MetadataStore {
 public:
  static Result<std::unique_ptr<FileMetadataStore>, std::string> open(const std::string& path);

  Result<std::vector<StoredRecord>, std::string> read_all() override;
  Result<std::int64_t, std::string> append(const std::vector<std::vector<std::uint8_t>>& records) override;

 private:
  FileMetadataStore(FileHandle file, std::string path) : file_(std::move(file)), path_(std::move(path)) {}

  FileHandle file_;
  std::string path_;
  std::uint64_t end_ = 0;          // bytes of whole records
  std::int64_t next_offset_ = 0;   // records so far
  bool loaded_ = false;
};

}  // namespace conveyor::metadata
