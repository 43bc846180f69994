#include "conveyor/group/group_records.h"

#include "conveyor/protocol/wire_reader.h"
#include "conveyor/protocol/wire_writer.h"

namespace conveyor::group {

namespace {

constexpr std::int16_t kOffsetKeyVersion = 1;
constexpr std::int16_t kGroupKeyVersion = 2;
constexpr std::int16_t kOffsetValueVersion = 3;
constexpr std::int16_t kGroupValueVersion = 3;

void write_string(protocol::Writer& w, std::string_view s) { w.write_string(s, false); }
void write_nullable(protocol::Writer& w, const std::optional<std::string>& s) {
  if (s) {
    w.write_string(*s, false);
  } else {
    w.write_int16(-1);
  }
}
void write_bytes(protocol::Writer& w, std::span<const std::uint8_t> bytes) {
  w.write_int32(static_cast<std::int32_t>(bytes.size()));
  w.write_raw(bytes);
}

std::vector<std::uint8_t> take(protocol::Writer& w) { return std::move(w.buffer()); }

}  // namespace

std::int32_t offsets_partition_for(std::string_view group_id, std::int32_t partitions) {
  // Java hashes UTF-16 code units; decode UTF-8 to code points first.
  std::int32_t hash = 0;
  auto mix = [&hash](std::uint32_t unit) {
    hash = static_cast<std::int32_t>(static_cast<std::uint32_t>(hash) * 31u + unit);
  };
  for (std::size_t i = 0; i < group_id.size();) {
    const auto c = static_cast<unsigned char>(group_id[i]);
    std::uint32_t cp = c;
    std::size_t len = 1;
    if (c >= 0xF0) {
      cp = c & 0x07u;
      len = 4;
    } else if (c >= 0xE0) {
      cp = c & 0x0Fu;
      len = 3;
    } else if (c >= 0xC0) {
      cp = c & 0x1Fu;
      len = 2;
    }
    if (i + len > group_id.size()) {
      len = 1;
      cp = c;
    } else {
      for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(group_id[i + k]) & 0x3Fu);
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      mix(0xD800u + (cp >> 10));
      mix(0xDC00u + (cp & 0x3FFu));
    } else {
      mix(cp);
    }
    i += len;
  }
  const std::int32_t positive = hash == INT32_MIN ? 0 : (hash < 0 ? -hash : hash);
  return positive % partitions;
}

std::vector<std::uint8_t> encode_key(const OffsetKey& key) {
  protocol::Writer w;
  w.write_int16(kOffsetKeyVersion);
  write_string(w, key.group);
  write_string(w, key.topic);
  w.write_int32(key.partition);
  return take(w);
}

std::vector<std::uint8_t> encode_key(const GroupKey& key) {
  protocol::Writer w;
  w.write_int16(kGroupKeyVersion);
  write_string(w, key.group);
  return take(w);
}

std::vector<std::uint8_t> encode_value(const OffsetValue& value) {
  protocol::Writer w;
  w.write_int16(kOffsetValueVersion);
  w.write_int64(value.offset);
  w.write_int32(value.leader_epoch);
  write_string(w, value.metadata);
  w.write_int64(value.commit_timestamp);
  return take(w);
}

std::vector<std::uint8_t> encode_value(const GroupValue& value) {
  protocol::Writer w;
  w.write_int16(kGroupValueVersion);
  write_string(w, value.protocol_type);
  w.write_int32(value.generation);
  write_nullable(w, value.protocol);
  write_nullable(w, value.leader);
  w.write_int64(value.state_timestamp);
  w.write_int32(static_cast<std::int32_t>(value.members.size()));
  for (const auto& m : value.members) {
    write_string(w, m.member_id);
    write_nullable(w, m.group_instance_id);
    write_string(w, m.client_id);
    write_string(w, m.client_host);
    w.write_int32(m.rebalance_timeout_ms);
    w.write_int32(m.session_timeout_ms);
    write_bytes(w, m.subscription);
    write_bytes(w, m.assignment);
  }
  return take(w);
}

std::optional<RecordKey> decode_key(std::span<const std::uint8_t> bytes) {
  protocol::Reader r(bytes);
  const std::int16_t version = r.read_int16();
  if (!r.ok()) return std::nullopt;
  if (version == 0 || version == 1) {
    OffsetKey key;
    key.group = r.read_string(false);
    key.topic = r.read_string(false);
    key.partition = r.read_int32();
    if (!r.ok()) return std::nullopt;
    return RecordKey{std::move(key)};
  }
  if (version == 2) {
    GroupKey key;
    key.group = r.read_string(false);
    if (!r.ok()) return std::nullopt;
    return RecordKey{std::move(key)};
  }
  return std::nullopt;
}

std::optional<OffsetValue> decode_offset_value(std::span<const std::uint8_t> bytes) {
  protocol::Reader r(bytes);
  const std::int16_t version = r.read_int16();
  if (!r.ok() || version != kOffsetValueVersion) return std::nullopt;
  OffsetValue value;
  value.offset = r.read_int64();
  value.leader_epoch = r.read_int32();
  value.metadata = r.read_string(false);
  value.commit_timestamp = r.read_int64();
  if (!r.ok()) return std::nullopt;
  return value;
}

std::optional<GroupValue> decode_group_value(std::span<const std::uint8_t> bytes) {
  protocol::Reader r(bytes);
  const std::int16_t version = r.read_int16();
  if (!r.ok() || version != kGroupValueVersion) return std::nullopt;
  GroupValue value;
  value.protocol_type = r.read_string(false);
  value.generation = r.read_int32();
  value.protocol = r.read_nullable_string(false);
  value.leader = r.read_nullable_string(false);
  value.state_timestamp = r.read_int64();
  const std::int32_t count = r.read_int32();
  if (!r.ok() || count < 0 || static_cast<std::size_t>(count) > r.remaining()) return std::nullopt;
  for (std::int32_t i = 0; i < count && r.ok(); ++i) {
    StoredMember m;
    m.member_id = r.read_string(false);
    m.group_instance_id = r.read_nullable_string(false);
    m.client_id = r.read_string(false);
    m.client_host = r.read_string(false);
    m.rebalance_timeout_ms = r.read_int32();
    m.session_timeout_ms = r.read_int32();
    m.subscription = r.read_bytes(false);
    m.assignment = r.read_bytes(false);
    value.members.push_back(std::move(m));
  }
  if (!r.ok()) return std::nullopt;
  return value;
}

}  // namespace conveyor::group
