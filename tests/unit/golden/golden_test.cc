// Golden bytes: request frames captured from real clients (kcat/librdkafka
// 2.0.2 and kafka-python 2.0.2, see tests/golden/README.md) decode to the
// values those clients were asked to send, and encode back to the same bytes.
//
// A capture is one request frame without its 4-byte size prefix, named
// <api>_v<version>_<client>_<tag>.bin. Record batches are checked at the
// header level only (magic, counts, codec, CRC); reading the records inside
// belongs to the record batch reader's own tests.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "golden_capture.h"

namespace conveyor::protocol {
namespace {

namespace fs = std::filesystem;
using golden::kDataDir;
using golden::read_capture;

constexpr std::string_view kKcatClientId = "conveyor-golden-kcat";
constexpr std::string_view kKafkaPythonClientId = "conveyor-golden-kafka-python";
constexpr std::string_view kTopic = "golden";
constexpr std::int32_t kRecordsPerBatch = 10;  // key-0 .. key-9

// A decoded capture: the header, the body and where the body starts.
template <typename Request>
struct Decoded {
  RequestHeader header;
  Request body;
  std::shared_ptr<std::vector<std::uint8_t>> bytes;
};

// Decodes a capture the way the broker does: the header version follows from
// the API key and version, the body is read at the header's API version and
// must use every byte. Fails the test (fatally) on any error.
template <typename Request>
void decode_capture(const std::string& name, Decoded<Request>& out) {
  SCOPED_TRACE(name);
  out.bytes = read_capture(name);
  ASSERT_GE(out.bytes->size(), 4u);
  Reader reader(*out.bytes, out.bytes);
  const std::int16_t api_key = load_be16(out.bytes->data());
  const std::int16_t api_version = load_be16(out.bytes->data() + 2);
  ASSERT_EQ(out.header.decode(reader, request_header_version(api_key, api_version)),
            ProtocolError::none);
  ASSERT_EQ(out.body.decode(reader, out.header.request_api_version), ProtocolError::none);
  ASSERT_TRUE(reader.at_end()) << reader.remaining() << " bytes left after the body";
}

// What the capture's file name says: "<api>_v<version>_...".
struct NameParts {
  std::string api;
  int version = -1;
};
NameParts parse_name(const std::string& stem) {
  // The API name may contain "_v" itself (api_versions): the version is the
  // first "_v" followed by a digit.
  NameParts parts;
  for (auto v = stem.find("_v"); v != std::string::npos; v = stem.find("_v", v + 1)) {
    if (v + 2 < stem.size() && std::isdigit(static_cast<unsigned char>(stem[v + 2]))) {
      parts.api = stem.substr(0, v);
      parts.version = std::atoi(stem.c_str() + v + 2);
      break;
    }
  }
  return parts;
}

std::string snake_case(std::string_view camel) {
  std::string out;
  for (const char c : camel) {
    if (c >= 'A' && c <= 'Z') {
      if (!out.empty()) out += '_';
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<fs::path> all_captures() {
  std::vector<fs::path> paths;
  for (const auto& entry : fs::directory_iterator(kDataDir)) {
    if (entry.path().extension() == ".bin") paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

// Every capture: its name matches its header, it decodes completely, and
// encoding the decoded header and body gives back exactly the captured bytes.
TEST(Golden, EveryCaptureDecodesAndEncodesToTheSameBytes) {
  const auto paths = all_captures();
  ASSERT_GE(paths.size(), 20u) << "captures missing from " << kDataDir;
  for (const auto& path : paths) {
    SCOPED_TRACE(path.filename().string());
    const auto bytes = read_capture(path);
    ASSERT_GE(bytes->size(), 4u);
    const std::int16_t api_key = load_be16(bytes->data());
    const std::int16_t api_version = load_be16(bytes->data() + 2);
    const ApiSchema* schema = find_api_schema(api_key);
    ASSERT_NE(schema, nullptr);
    const NameParts name = parse_name(path.stem().string());
    EXPECT_EQ(name.api, snake_case(schema->name));
    EXPECT_EQ(name.version, api_version);

    const std::int16_t header_version = request_header_version(api_key, api_version);
    Reader reader(*bytes, bytes);
    RequestHeader header;
    ASSERT_EQ(header.decode(reader, header_version), ProtocolError::none);
    EXPECT_EQ(header.request_api_key, api_key);
    EXPECT_EQ(header.request_api_version, api_version);
    ASSERT_TRUE(header.client_id.has_value());
    EXPECT_TRUE(*header.client_id == kKcatClientId || *header.client_id == kKafkaPythonClientId)
        << *header.client_id;

    Writer writer;
    ASSERT_EQ(header.encode(writer, header_version), ProtocolError::none);
    const bool known = visit_api(api_key, [&]<typename Request, typename Response>() {
      Request body;
      ASSERT_EQ(body.decode(reader, api_version), ProtocolError::none);
      EXPECT_TRUE(reader.at_end()) << reader.remaining() << " bytes left after the body";
      ASSERT_EQ(body.encode(writer, api_version), ProtocolError::none);
      EXPECT_EQ(header.size(header_version) + body.size(api_version), bytes->size());
    });
    ASSERT_TRUE(known);
    EXPECT_EQ(writer.flatten(), *bytes);
  }
}

// ---- ApiVersions -----------------------------------------------------------

TEST(Golden, ApiVersionsV3FromLibrdkafkaNamesTheClientSoftware) {
  Decoded<ApiVersionsRequest> r;
  ASSERT_NO_FATAL_FAILURE(decode_capture("api_versions_v3_kcat_metadata.bin", r));
  EXPECT_EQ(r.header.request_api_key, static_cast<std::int16_t>(ApiKey::api_versions));
  EXPECT_EQ(r.header.request_api_version, 3);
  EXPECT_EQ(r.header.client_id, std::string(kKcatClientId));
  EXPECT_EQ(r.body.client_software_name, "librdkafka");
  EXPECT_EQ(r.body.client_software_version, "2.0.2");
  EXPECT_TRUE(r.body.unknown_tagged_fields.empty());
}

TEST(Golden, ApiVersionsV0FromBothClientsHasAnEmptyBody) {
  for (const auto* name :
       {"api_versions_v0_kcat_metadata.bin", "api_versions_v0_kafkapython_produce_none.bin"}) {
    Decoded<ApiVersionsRequest> r;
    ASSERT_NO_FATAL_FAILURE(decode_capture(name, r));
    EXPECT_EQ(r.header.request_api_version, 0);
    EXPECT_EQ(r.bytes->size(), r.header.size(1)) << name;
    EXPECT_EQ(r.body.client_software_name, "");
  }
}

// ---- Metadata --------------------------------------------------------------

TEST(Golden, MetadataFromKcatAsksForBrokersOnlyFirst) {
  Decoded<MetadataRequest> r;
  ASSERT_NO_FATAL_FAILURE(decode_capture("metadata_v2_kcat_metadata.bin", r));
  EXPECT_EQ(r.header.request_api_key, static_cast<std::int16_t>(ApiKey::metadata));
  EXPECT_EQ(r.header.request_api_version, 2);
  EXPECT_EQ(r.header.client_id, std::string(kKcatClientId));
  // librdkafka's first Metadata request is for the brokers: an empty list
  // (not null, which means every topic from v1 on).
  ASSERT_TRUE(r.body.topics.has_value());
  EXPECT_TRUE(r.body.topics->empty());
}

TEST(Golden, MetadataFromKafkaPythonAsksForAllTopics) {
  Decoded<MetadataRequest> v0;
  ASSERT_NO_FATAL_FAILURE(decode_capture("metadata_v0_kafkapython_produce_none.bin", v0));
  EXPECT_EQ(v0.header.client_id, std::string(kKafkaPythonClientId));
  // v0 has no null array: empty means every topic.
  ASSERT_TRUE(v0.body.topics.has_value());
  EXPECT_TRUE(v0.body.topics->empty());

  Decoded<MetadataRequest> v1;
  ASSERT_NO_FATAL_FAILURE(decode_capture("metadata_v1_kafkapython_produce_none.bin", v1));
  EXPECT_EQ(v1.header.request_api_version, 1);
  EXPECT_FALSE(v1.body.topics.has_value());  // null: every topic
}

// ---- Produce ---------------------------------------------------------------

struct ProduceCapture {
  const char* file;
  std::string_view client_id;
  CompressionType codec;
  std::int32_t timeout_ms;  // librdkafka: request.timeout.ms; kafka-python: set to 10000
};

class GoldenProduce : public ::testing::TestWithParam<ProduceCapture> {};

TEST_P(GoldenProduce, DecodesToOneBatchOfTenRecords) {
  const ProduceCapture& c = GetParam();
  Decoded<ProduceRequest> r;
  ASSERT_NO_FATAL_FAILURE(decode_capture(c.file, r));
  EXPECT_EQ(r.header.request_api_key, static_cast<std::int16_t>(ApiKey::produce));
  EXPECT_EQ(r.header.request_api_version, 7);
  EXPECT_EQ(r.header.client_id, std::string(c.client_id));
  EXPECT_FALSE(r.body.transactional_id.has_value());
  EXPECT_EQ(r.body.acks, -1);
  EXPECT_EQ(r.body.timeout_ms, c.timeout_ms);
  ASSERT_EQ(r.body.topic_data.size(), 1u);
  const auto& topic = r.body.topic_data[0];
  EXPECT_EQ(topic.name, kTopic);
  ASSERT_EQ(topic.partition_data.size(), 1u);
  const auto& partition = topic.partition_data[0];
  EXPECT_EQ(partition.index, 0);

  // The records field is a view into the frame, holding exactly one batch.
  ASSERT_TRUE(partition.records.in_memory());
  const auto batch = partition.records.bytes();
  EXPECT_GE(batch.data(), r.bytes->data());
  EXPECT_LE(batch.data() + batch.size(), r.bytes->data() + r.bytes->size());
  auto header = read_batch_header(batch);
  ASSERT_TRUE(header.ok()) << to_string(header.error());
  EXPECT_EQ(header->size_in_bytes(), batch.size());
  EXPECT_EQ(header->base_offset, 0);
  EXPECT_EQ(header->magic, kMagicV2);
  EXPECT_EQ(header->record_count, kRecordsPerBatch);
  EXPECT_EQ(header->last_offset_delta, kRecordsPerBatch - 1);
  EXPECT_EQ(header->compression(), c.codec);
  EXPECT_EQ(header->timestamp_type(), TimestampType::create_time);
  EXPECT_FALSE(header->is_transactional());
  EXPECT_FALSE(header->is_control());
  EXPECT_FALSE(header->has_producer_id());  // not idempotent
  EXPECT_EQ(header->producer_epoch, -1);
  EXPECT_EQ(header->base_sequence, -1);
  EXPECT_GT(header->base_timestamp, 1'600'000'000'000);  // a wall clock in ms
  EXPECT_GE(header->max_timestamp, header->base_timestamp);
  EXPECT_TRUE(batch_crc_matches(batch));

  // The uncompressed batches carry the keys as plain bytes.
  if (c.codec == CompressionType::none) {
    const std::string_view text(reinterpret_cast<const char*>(batch.data()), batch.size());
    EXPECT_NE(text.find("key-0"), std::string_view::npos);
    EXPECT_NE(text.find("value-9 lorem ipsum"), std::string_view::npos);
  }
}

TEST_P(GoldenProduce, AFlippedBitBreaksTheCrc) {
  const ProduceCapture& c = GetParam();
  Decoded<ProduceRequest> r;
  ASSERT_NO_FATAL_FAILURE(decode_capture(c.file, r));
  const auto view = r.body.topic_data.at(0).partition_data.at(0).records.bytes();
  std::vector<std::uint8_t> batch(view.begin(), view.end());
  ASSERT_TRUE(batch_crc_matches(batch));
  batch.back() ^= 0x01;  // inside the records, covered by the CRC
  EXPECT_FALSE(batch_crc_matches(batch));
  batch.back() ^= 0x01;
  batch[batch_offsets::kPartitionLeaderEpoch] ^= 0x01;  // outside it
  EXPECT_TRUE(batch_crc_matches(batch));
}

constexpr std::int32_t kLibrdkafkaTimeout = 30000;
constexpr std::int32_t kKafkaPythonTimeout = 10000;

INSTANTIATE_TEST_SUITE_P(
    Captures, GoldenProduce,
    ::testing::Values(
        ProduceCapture{"produce_v7_kcat_produce_none.bin", kKcatClientId, CompressionType::none,
                       kLibrdkafkaTimeout},
        ProduceCapture{"produce_v7_kcat_produce_gzip.bin", kKcatClientId, CompressionType::gzip,
                       kLibrdkafkaTimeout},
        ProduceCapture{"produce_v7_kcat_produce_snappy.bin", kKcatClientId, CompressionType::snappy,
                       kLibrdkafkaTimeout},
        ProduceCapture{"produce_v7_kcat_produce_lz4.bin", kKcatClientId, CompressionType::lz4,
                       kLibrdkafkaTimeout},
        ProduceCapture{"produce_v7_kcat_produce_zstd.bin", kKcatClientId, CompressionType::zstd,
                       kLibrdkafkaTimeout},
        ProduceCapture{"produce_v7_kafkapython_produce_none.bin", kKafkaPythonClientId,
                       CompressionType::none, kKafkaPythonTimeout},
        ProduceCapture{"produce_v7_kafkapython_produce_gzip.bin", kKafkaPythonClientId,
                       CompressionType::gzip, kKafkaPythonTimeout},
        ProduceCapture{"produce_v7_kafkapython_produce_snappy.bin", kKafkaPythonClientId,
                       CompressionType::snappy, kKafkaPythonTimeout},
        ProduceCapture{"produce_v7_kafkapython_produce_lz4.bin", kKafkaPythonClientId,
                       CompressionType::lz4, kKafkaPythonTimeout},
        ProduceCapture{"produce_v7_kafkapython_produce_zstd.bin", kKafkaPythonClientId,
                       CompressionType::zstd, kKafkaPythonTimeout}),
    [](const ::testing::TestParamInfo<ProduceCapture>& param_info) {
      std::string name = fs::path(param_info.param.file).stem().string();
      std::replace(name.begin(), name.end(), '-', '_');
      return name;
    });

// ---- ListOffsets and Fetch (the consumers) ---------------------------------

constexpr std::int64_t kEarliestTimestamp = -2;
constexpr std::int32_t kDefaultFetchMaxBytes = 52428800;     // fetch.max.bytes, both clients
constexpr std::int32_t kDefaultPartitionMaxBytes = 1048576;  // max.partition.fetch.bytes
constexpr std::int32_t kDefaultFetchWaitMs = 500;

TEST(Golden, ListOffsetsFromKcatAsksForTheEarliestOffset) {
  Decoded<ListOffsetsRequest> r;
  ASSERT_NO_FATAL_FAILURE(decode_capture("list_offsets_v2_kcat_consume.bin", r));
  EXPECT_EQ(r.header.client_id, std::string(kKcatClientId));
  EXPECT_EQ(r.body.replica_id, -1);
  EXPECT_EQ(r.body.isolation_level, 1);  // librdkafka defaults to read_committed
  ASSERT_EQ(r.body.topics.size(), 1u);
  EXPECT_EQ(r.body.topics[0].name, kTopic);
  ASSERT_EQ(r.body.topics[0].partitions.size(), 1u);
  EXPECT_EQ(r.body.topics[0].partitions[0].partition_index, 0);
  EXPECT_EQ(r.body.topics[0].partitions[0].timestamp, kEarliestTimestamp);
}

TEST(Golden, ListOffsetsFromKafkaPythonAsksForTheEarliestOffset) {
  Decoded<ListOffsetsRequest> r;
  ASSERT_NO_FATAL_FAILURE(decode_capture("list_offsets_v1_kafkapython_consume.bin", r));
  EXPECT_EQ(r.header.client_id, std::string(kKafkaPythonClientId));
  EXPECT_EQ(r.body.replica_id, -1);
  ASSERT_EQ(r.body.topics.size(), 1u);
  EXPECT_EQ(r.body.topics[0].name, kTopic);
  ASSERT_EQ(r.body.topics[0].partitions.size(), 1u);
  EXPECT_EQ(r.body.topics[0].partitions[0].partition_index, 0);
  EXPECT_EQ(r.body.topics[0].partitions[0].timestamp, kEarliestTimestamp);
}

void expect_first_fetch_of_golden_0(const FetchRequest& fetch) {
  EXPECT_EQ(fetch.replica_id, -1);
  EXPECT_EQ(fetch.max_wait_ms, kDefaultFetchWaitMs);
  EXPECT_EQ(fetch.min_bytes, 1);
  EXPECT_EQ(fetch.max_bytes, kDefaultFetchMaxBytes);
  ASSERT_EQ(fetch.topics.size(), 1u);
  EXPECT_EQ(fetch.topics[0].topic, kTopic);
  ASSERT_EQ(fetch.topics[0].partitions.size(), 1u);
  const auto& partition = fetch.topics[0].partitions[0];
  EXPECT_EQ(partition.partition, 0);
  EXPECT_EQ(partition.fetch_offset, 0);
  EXPECT_EQ(partition.partition_max_bytes, kDefaultPartitionMaxBytes);
  EXPECT_TRUE(fetch.forgotten_topics_data.empty());
}

TEST(Golden, FetchV11FromKcat) {
  Decoded<FetchRequest> r;
  ASSERT_NO_FATAL_FAILURE(decode_capture("fetch_v11_kcat_consume.bin", r));
  EXPECT_EQ(r.header.request_api_key, static_cast<std::int16_t>(ApiKey::fetch));
  EXPECT_EQ(r.header.request_api_version, 11);
  EXPECT_EQ(r.header.client_id, std::string(kKcatClientId));
  expect_first_fetch_of_golden_0(r.body);
  EXPECT_EQ(r.body.isolation_level, 1);
  EXPECT_EQ(r.body.session_id, 0);  // no fetch session: a full fetch
  EXPECT_EQ(r.body.session_epoch, -1);
  EXPECT_EQ(r.body.rack_id, "");
  ASSERT_EQ(r.body.topics.size(), 1u);
  ASSERT_EQ(r.body.topics[0].partitions.size(), 1u);
  EXPECT_EQ(r.body.topics[0].partitions[0].current_leader_epoch, -1);
  EXPECT_EQ(r.body.topics[0].partitions[0].log_start_offset, -1);
}

TEST(Golden, FetchV4FromKafkaPython) {
  Decoded<FetchRequest> r;
  ASSERT_NO_FATAL_FAILURE(decode_capture("fetch_v4_kafkapython_consume.bin", r));
  EXPECT_EQ(r.header.request_api_version, 4);
  EXPECT_EQ(r.header.client_id, std::string(kKafkaPythonClientId));
  expect_first_fetch_of_golden_0(r.body);
  EXPECT_EQ(r.body.isolation_level, 0);  // read_uncommitted
}

// ---- Bad input derived from the captures -------------------------------------

// Every strict prefix of a capture fails to decode cleanly: with an error,
// never a read past the end (ASan checks that in CI).
TEST(Golden, EveryTruncationOfACaptureIsAnError) {
  for (const auto& path : all_captures()) {
    SCOPED_TRACE(path.filename().string());
    const auto bytes = read_capture(path);
    const std::int16_t api_key = load_be16(bytes->data());
    const std::int16_t api_version = load_be16(bytes->data() + 2);
    const std::int16_t header_version = request_header_version(api_key, api_version);
    for (std::size_t cut = 0; cut < bytes->size(); ++cut) {
      // A copy of exactly `cut` bytes, so that ASan sees any overread.
      const std::vector<std::uint8_t> prefix(bytes->begin(),
                                             bytes->begin() + static_cast<std::ptrdiff_t>(cut));
      Reader reader(prefix);
      RequestHeader header;
      ProtocolError error = header.decode(reader, header_version);
      if (error == ProtocolError::none) {
        visit_api(api_key, [&]<typename Request, typename Response>() {
          Request body;
          error = body.decode(reader, api_version);
        });
      }
      EXPECT_NE(error, ProtocolError::none) << "prefix of " << cut << " bytes decoded";
    }
  }
}

}  // namespace
}  // namespace conveyor::protocol
