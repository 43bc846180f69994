#pragma once
// Reading the golden captures (tests/golden/data) and decoding a request
// frame the way the broker does, for the golden and bad-frame tests.

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "conveyor/protocol/api_registry.h"
#include "conveyor/protocol/messages/request_header.h"
#include "conveyor/protocol/record_batch_header.h"

namespace conveyor::protocol::golden {

inline const std::filesystem::path kDataDir = CONVEYOR_GOLDEN_DATA_DIR;

inline std::shared_ptr<std::vector<std::uint8_t>> read_capture(const std::filesystem::path& path) {
  const auto full = path.is_absolute() ? path : kDataDir / path;
  std::ifstream in(full, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << full;
  return std::make_shared<std::vector<std::uint8_t>>(std::istreambuf_iterator<char>(in),
                                                     std::istreambuf_iterator<char>());
}

// Decodes header + body; returns the first error, or unsupported_version for
// an API key no schema defines. `body_left` gets the bytes after the body.
inline ProtocolError decode_frame(std::span<const std::uint8_t> frame,
                                  std::size_t* body_left = nullptr) {
  if (frame.size() < 4) return ProtocolError::truncated;
  const std::int16_t api_key = load_be16(frame.data());
  const std::int16_t api_version = load_be16(frame.data() + 2);
  Reader reader(frame);
  RequestHeader header;
  if (auto error = header.decode(reader, request_header_version(api_key, api_version));
      error != ProtocolError::none) {
    return error;
  }
  ProtocolError error = ProtocolError::unsupported_version;
  visit_api(api_key, [&]<typename Request, typename Response>() {
    Request body;
    error = body.decode(reader, api_version);
  });
  if (body_left != nullptr) *body_left = reader.remaining();
  return error;
}

}  // namespace conveyor::protocol::golden
