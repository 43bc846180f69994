"""Raw requests for the transaction coordinator's APIs, and the
__transaction_state record layout (txn/txn_records.h), for tests that need
to see or craft what clients do not show."""
import struct

from kafka_wire import _compact_string, _read_partition_errors, _Reader, _string, _uvarint, frame, record_batch, \
    request_header

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
    return record_batch([value for _, value in records], base_timestamp, keys=[key for key, _ in records])


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
    errors = _read_partition_errors(_Reader(payload, 8))  # after the correlation id and throttle
    return {(name, partition): error for name, partition, error in errors}


def end_txn_request(transactional_id, producer_id, epoch, commit, version=0, correlation_id=1):
    return frame(request_header(26, version, correlation_id) + _string(transactional_id) +
                 struct.pack(">qhb", producer_id, epoch, 1 if commit else 0))


def parse_end_txn_response(payload):
    """The error code (v0-v2 layout: correlation id, throttle, error)."""
    return struct.unpack(">h", payload[8:10])[0]


# --- flexible versions (compact strings and arrays, tagged fields) -----------



def _flexible_header(api_key, version, correlation_id):
    return request_header(api_key, version, correlation_id, flexible=True)


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
