"""Raw requests for the transaction coordinator's APIs, and the
__transaction_state record layout (txn/txn_records.h), for tests that need
to see or craft what clients do not show."""
import struct

from kafka_wire import _bytes_field, _compact_string, _string, _uvarint, crc32c, frame, request_header, varint

# Transaction states (Kafka's ids).
EMPTY, ONGOING, PREPARE_COMMIT, PREPARE_ABORT, COMPLETE_COMMIT, COMPLETE_ABORT = range(6)


def java_hash_partition(text, partitions):
    """abs(java.lang.String.hashCode(text)) % partitions, Kafka's placement."""
    h = 0
    units = text.encode("utf-16-be")
    for i in range(0, len(units), 2):
        h = (31 * h + int.from_bytes(units[i:i + 2], "big")) & 0xFFFFFFFF
    if h >= 1 << 31:
        h -= 1 << 32
    return 0 if h == -(1 << 31) else abs(h) % partitions


def txn_state_key(transactional_id):
    return struct.pack(">h", 0) + _string(transactional_id)


def txn_state_value(producer_id, epoch, state, partitions, timeout_ms=60000, start_ms=-1, update_ms=-1,
                    last_producer_id=-1, last_epoch=-1):
    """partitions: {topic: [partition ids]}."""
    out = struct.pack(">hqhib", 0, producer_id, epoch, timeout_ms, state)
    if state == EMPTY:
        out += struct.pack(">i", -1)
    else:
        out += struct.pack(">i", len(partitions))
        for topic, ids in sorted(partitions.items()):
            out += _string(topic) + struct.pack(">i", len(ids)) + b"".join(struct.pack(">i", p) for p in ids)
    return out + struct.pack(">qqqh", update_ms, start_ms, last_producer_id, last_epoch)


def keyed_batch(records, base_timestamp):
    """An uncompressed magic-2 batch of (key, value) records."""
    body_all = b""
    for i, (key, value) in enumerate(records):
        body = b"\x00" + varint(0) + varint(i) + _bytes_field(key) + _bytes_field(value) + varint(0)
        body_all += varint(len(body)) + body
    after_crc = struct.pack(">hiqqqhii", 0, len(records) - 1, base_timestamp, base_timestamp, -1, -1, -1,
                            len(records)) + body_all
    batch_length = 4 + 1 + 4 + len(after_crc)
    return struct.pack(">qiibI", 0, batch_length, 0, 2, crc32c(after_crc)) + after_crc


def init_producer_id_request_v0(transactional_id, timeout_ms=60000, correlation_id=1):
    return frame(request_header(22, 0, correlation_id) + _string(transactional_id) + struct.pack(">i", timeout_ms))


def add_partitions_request_v0(transactional_id, producer_id, epoch, topics, correlation_id=1):
    """topics: {topic: [partitions]}."""
    body = _string(transactional_id) + struct.pack(">qhi", producer_id, epoch, len(topics))
    for topic, partitions in topics.items():
        body += _string(topic) + struct.pack(">i", len(partitions)) + b"".join(struct.pack(">i", p) for p in partitions)
    return frame(request_header(24, 0, correlation_id) + body)


def parse_add_partitions_response_v0(payload):
    """{(topic, partition): error}."""
    pos = 8  # correlation id, throttle
    (topics,) = struct.unpack(">i", payload[pos:pos + 4])
    pos += 4
    out = {}
    for _ in range(topics):
        (n,) = struct.unpack(">h", payload[pos:pos + 2])
        name = payload[pos + 2:pos + 2 + n].decode()
        pos += 2 + n
        (count,) = struct.unpack(">i", payload[pos:pos + 4])
        pos += 4
        for _ in range(count):
            partition, error = struct.unpack(">ih", payload[pos:pos + 6])
            pos += 6
            out[(name, partition)] = error
    return out


def end_txn_request(transactional_id, producer_id, epoch, commit, version=0, correlation_id=1):
    return frame(request_header(26, version, correlation_id) + _string(transactional_id) +
                 struct.pack(">qhb", producer_id, epoch, 1 if commit else 0))


def parse_end_txn_response(payload):
    """The error code (v0-v2 layout: correlation id, throttle, error)."""
    return struct.unpack(">h", payload[8:10])[0]


# --- flexible versions (compact strings and arrays, tagged fields) -----------



def _flexible_header(api_key, version, correlation_id):
    return request_header(api_key, version, correlation_id, flexible=True)


class _Reader:
    def __init__(self, data, pos=0):
        self.data, self.pos = data, pos

    def fixed(self, fmt):
        values = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += struct.calcsize(fmt)
        return values if len(values) > 1 else values[0]

    def uvarint(self):
        shift = value = 0
        while True:
            byte = self.data[self.pos]
            self.pos += 1
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
            shift += 7

    def compact_string(self):
        n = self.uvarint() - 1
        text = self.data[self.pos:self.pos + n].decode()
        self.pos += n
        return text

    def skip_tags(self):
        for _ in range(self.uvarint()):
            self.uvarint()
            self.pos += self.uvarint()


def describe_transactions_request_v0(ids, correlation_id=1):
    body = _uvarint(len(ids) + 1) + b"".join(_compact_string(i) for i in ids) + b"\x00"
    return frame(_flexible_header(65, 0, correlation_id) + body)


def parse_describe_transactions_response_v0(payload):
    """[{error, id, state, timeout, start, producer_id, epoch, partitions: {topic: [p]}}]."""
    r = _Reader(payload, 4)
    r.skip_tags()  # response header v1
    r.fixed(">i")  # throttle
    out = []
    for _ in range(r.uvarint() - 1):
        state = {"error": r.fixed(">h"), "id": r.compact_string(), "state": r.compact_string(),
                 "timeout": r.fixed(">i"), "start": r.fixed(">q"), "producer_id": r.fixed(">q"),
                 "epoch": r.fixed(">h"), "partitions": {}}
        for _ in range(r.uvarint() - 1):
            topic = r.compact_string()
            state["partitions"][topic] = [r.fixed(">i") for _ in range(r.uvarint() - 1)]
            r.skip_tags()
        r.skip_tags()
        out.append(state)
    return out


def list_transactions_request_v0(states=(), producer_ids=(), correlation_id=1):
    body = _uvarint(len(states) + 1) + b"".join(_compact_string(s) for s in states)
    body += _uvarint(len(producer_ids) + 1) + b"".join(struct.pack(">q", p) for p in producer_ids) + b"\x00"
    return frame(_flexible_header(66, 0, correlation_id) + body)


def parse_list_transactions_response_v0(payload):
    """(error, unknown state filters, [(id, producer id, state)])."""
    r = _Reader(payload, 4)
    r.skip_tags()
    r.fixed(">i")
    error = r.fixed(">h")
    unknown = [r.compact_string() for _ in range(r.uvarint() - 1)]
    states = []
    for _ in range(r.uvarint() - 1):
        states.append((r.compact_string(), r.fixed(">q"), r.compact_string()))
        r.skip_tags()
    return error, unknown, states
